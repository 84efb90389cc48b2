"""The `soundseal` command line: operators, artists and platforms.

Every command prints JSON on stdout (errors as the API's error shape on stderr, exit 1), so
scripts can pipe it into `jq`.
"""

from __future__ import annotations

from soundseal.cli.app import app, main

__all__ = ["app", "main"]
