"""A small catalogue that shows soundseal's seal honestly: an example platform.

    SOUNDSEAL_API_URL=http://127.0.0.1:8000 SOUNDSEAL_API_KEY=ss_sk_… \\
        python -m examples.platform_demo --port 8100

Uploads keep an optional certificate ID (Step 4 of the platform doc). Track rows render the
registry's seal widget from the stored ID (Layer 1: the certificate exists and is active)
and, separately, a "Verified human-made" label that comes only from the render gate (Layer 2:
the audio this site serves was verified against the certificate, the certificate is not
revoked and the revocation feed is fresh). "Verify" runs verify-then-bind for a track; a
poller applies the registry's change feed in the background.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import threading
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import uvicorn
from jinja2 import Environment
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from soundseal.client import Client, ClientError
from soundseal.platform import content_address, open_store, run_poller, seals_visible
from soundseal.platform import verify_and_bind as bind_track

CERT_ID_RE = re.compile(r"^cer_[A-Za-z0-9_]+$")

PAGE = Environment(autoescape=True).from_string("""<!doctype html>
<html><head><meta charset="utf-8"><title>Demo catalogue</title></head>
<body>
<h1>Demo catalogue</h1>
{% if error %}<p class="error">{{ error }}</p>{% endif %}
<form method="post" action="/tracks" enctype="multipart/form-data">
  <label>Title <input name="title" required></label>
  <label>Audio <input type="file" name="audio" required></label>
  <label>soundseal Certificate ID (optional)
    <input name="soundseal_cert_id" placeholder="cer_01KS9QWHV7PHETYGQAYMHB3DM6"
           pattern="^cer_[A-Za-z0-9_]+$"></label>
  <button>Upload</button>
</form>
<ul id="tracks">
{% for track in tracks %}
  <li class="track" data-track="{{ track.id }}">
    <span class="title">{{ track.title }}</span>
    {% if track.cert_id %}
      <span data-soundseal-cert="{{ track.cert_id }}" data-variant="mini" data-size="16"></span>
    {% endif %}
    {% if gate[track.id].visible %}<strong class="verified">Verified human-made</strong>{% endif %}
    {% if track.cert_id %}
      <form method="post" action="/tracks/{{ track.id }}/verify"><button>Verify</button></form>
    {% endif %}
    <small class="gate">{{ gate[track.id].reasons | join("; ") }}</small>
  </li>
{% endfor %}
</ul>
<script src="{{ registry }}/static/embed-widget.js" async></script>
</body></html>""")


def create_demo(
    registry_url: str,
    api_key: str,
    data_dir: Path,
    *,
    poll_interval: timedelta = timedelta(minutes=5),
) -> Starlette:
    data_dir.mkdir(parents=True, exist_ok=True)
    media = data_dir / "media"
    media.mkdir(exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{data_dir / 'catalogue.sqlite3'}")
    tracks = sa.Table(
        "tracks",
        sa.MetaData(),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("file", sa.String(300), nullable=False),
        sa.Column("cert_id", sa.String(64)),
    )
    tracks.metadata.create_all(engine)
    client = Client(api_key, registry_url)
    # A real platform is given the registry's log key by its operator; the demo takes the
    # one the registry shows the first time (the store keeps it, and refuses another).
    store = open_store(
        f"sqlite:///{data_dir / 'platform.sqlite3'}",
        log_key=client.log_state("live")["verifier_key"],
    )

    def render(request: Request, error: str | None = None, status: int = 200) -> Response:
        with engine.connect() as conn:
            rows = list(conn.execute(sa.select(tracks).order_by(tracks.c.title)))
        # The gate reads only the platform's database and the bytes actually served.
        served = {row.id: content_address(media / row.file) for row in rows}
        with store.sessions() as session:
            gate = seals_visible(session, served)
        html = PAGE.render(tracks=rows, gate=gate, registry=registry_url, error=error)
        return HTMLResponse(
            html,
            status_code=status,
            headers={
                "Content-Security-Policy": f"default-src 'self'; script-src {registry_url}; "
                f"connect-src {registry_url}; img-src 'self' data:",
            },
        )

    async def index(request: Request) -> Response:
        return render(request)

    async def upload(request: Request) -> Response:
        form = await request.form(max_files=1)
        title = str(form.get("title") or "").strip()
        cert_id = str(form.get("soundseal_cert_id") or "").strip() or None
        audio = form.get("audio")
        if not title or audio is None or isinstance(audio, str):
            return render(request, "A title and an audio file are required.", 400)
        if cert_id is not None and not CERT_ID_RE.match(cert_id):
            return render(request, "A certificate ID looks like cer_ followed by letters.", 400)
        track_id = secrets.token_hex(8)
        name = f"{track_id}{Path(audio.filename or '').suffix[:8]}"
        (media / name).write_bytes(await audio.read())
        with engine.begin() as conn:
            conn.execute(
                sa.insert(tracks).values(id=track_id, title=title, file=name, cert_id=cert_id)
            )
        return RedirectResponse("/", status_code=303)

    async def verify(request: Request) -> Response:
        track_id = request.path_params["track_id"]
        with engine.connect() as conn:
            row = conn.execute(sa.select(tracks).where(tracks.c.id == track_id)).first()
        if row is None or row.cert_id is None:
            return render(request, "No such track with a certificate ID.", 404)
        try:
            outcome = bind_track(
                client,
                store.sessions,
                track_id=track_id,
                served_file=media / row.file,
                certificate_id=row.cert_id,
            )
        except ClientError as exc:
            return render(request, f"The registry refused: {exc}", 502)
        if not outcome.bound:
            return render(request, "Not verified: " + "; ".join(outcome.reasons))
        return RedirectResponse("/", status_code=303)

    stop = threading.Event()

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # The poller runs in-process, every poll_interval (at most 5 minutes).
        thread = threading.Thread(
            target=run_poller,
            args=(client, store.sessions),
            kwargs={"interval": poll_interval, "stop": stop.is_set},
            daemon=True,
        )
        thread.start()
        yield
        stop.set()
        thread.join(timeout=5)

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/tracks", upload, methods=["POST"]),
            Route("/tracks/{track_id}/verify", verify, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.client = client
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="An example platform wired to soundseal.")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--data-dir", type=Path, default=Path("platform-demo-data"))
    args = parser.parse_args()
    app = create_demo(
        os.environ.get("SOUNDSEAL_API_URL", "http://127.0.0.1:8000"),
        os.environ["SOUNDSEAL_API_KEY"],
        args.data_dir,
    )
    uvicorn.run(app, host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
