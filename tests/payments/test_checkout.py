"""Stripe's library is the optional `billing` extra: loaded only when Checkout is configured.

Each test runs a fresh interpreter; "not installed" is `sys.modules["stripe"] = None`, which
makes every `import stripe` fail exactly as it does when the package is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port

WITHOUT_STRIPE = "import sys\nsys.modules['stripe'] = None\n"

BUILD_APP = """
import sys
from starlette.testclient import TestClient
from soundseal.app import create_app
from soundseal.settings import load_settings

app = create_app(load_settings(data_dir=sys.argv[1]))
response = TestClient(app).get("/api/v1/billing/checkout")
print(response.status_code, "stripe" in sys.modules and sys.modules["stripe"] is not None)
"""


def python(code: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOUNDSEAL_STRIPE")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_registry_without_billing_never_loads_stripe(tmp_path: Path) -> None:
    out = python(BUILD_APP, str(tmp_path / "data"))
    assert out.returncode == 0, out.stderr
    # 401: the route is there and asks for a key; Stripe's library was not needed for it.
    assert out.stdout.split() == ["401", "False"]


def test_a_registry_without_billing_starts_when_stripe_is_not_installed(tmp_path: Path) -> None:
    out = python(WITHOUT_STRIPE + BUILD_APP, str(tmp_path / "data"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["401", "False"]


def test_stripe_keys_without_the_library_stop_start_up_naming_the_extra(tmp_path: Path) -> None:
    data = tmp_path / "data"
    serve = "from soundseal.cli import main\nmain()\n"
    out = python(
        WITHOUT_STRIPE + "sys.argv = ['soundseal', *sys.argv[1:]]\n" + serve,
        "serve",
        "--port",
        str(free_port()),
        "--data-dir",
        str(data),
        SOUNDSEAL_STRIPE_SECRET_KEY="sk_test_abc",
        SOUNDSEAL_STRIPE_WEBHOOK_SECRET="whsec_test",
    )
    assert out.returncode == 2, out.stderr
    error = json.loads(out.stderr)
    assert error["code"] == "invalid_settings"
    assert 'pip install "soundseal[billing]"' in error["error"]
    assert not (data / "soundseal.sqlite3").exists()  # refused before anything was written


def test_stripe_keys_with_the_library_start(tmp_path: Path) -> None:
    out = python(
        BUILD_APP,
        str(tmp_path / "data"),
        SOUNDSEAL_STRIPE_SECRET_KEY="sk_test_abc",
        SOUNDSEAL_STRIPE_WEBHOOK_SECRET="whsec_test",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["401", "True"]
