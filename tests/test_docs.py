"""The README documents what the code does."""

from __future__ import annotations

from pathlib import Path

from soundseal.settings import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_settings_table_is_generated_from_the_settings() -> None:
    assert settings_table() in README.read_text()
