"""Share the synthesized-audio fixtures of ``tests/audio/conftest.py``."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_path = Path(__file__).resolve().parent.parent / "audio" / "conftest.py"
_name = "soundseal_test_audio_fixtures"
if _name not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_name, _path)
    assert _spec is not None
    assert _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_name] = _module
    _spec.loader.exec_module(_module)
_fixtures = sys.modules[_name]

audio_dir = _fixtures.audio_dir
make_audio = _fixtures.make_audio
song_a_wav = _fixtures.song_a_wav
song_b_wav = _fixtures.song_b_wav
song_long_wav = _fixtures.song_long_wav
silence_wav = _fixtures.silence_wav
near_silence_wav = _fixtures.near_silence_wav
tone_wav = _fixtures.tone_wav
short_wav = _fixtures.short_wav
render_song = _fixtures.render_song
transcode = _fixtures.transcode
write_wav = _fixtures.write_wav
SR = _fixtures.SR
