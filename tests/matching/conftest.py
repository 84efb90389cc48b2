"""Share the synthesized-audio fixtures of ``tests/audio/conftest.py``."""

from __future__ import annotations

from tests.audio.conftest import (
    audio_dir,
    audio_tools,
    make_audio,
    near_silence_wav,
    short_wav,
    silence_wav,
    song_a_wav,
    song_b_wav,
    song_long_wav,
    tone_wav,
)

__all__ = [
    "audio_dir",
    "audio_tools",
    "make_audio",
    "near_silence_wav",
    "short_wav",
    "silence_wav",
    "song_a_wav",
    "song_b_wav",
    "song_long_wav",
    "tone_wav",
]
