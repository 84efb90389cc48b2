"""The HTTP layer (`/api/v1`): thin routes over the registry."""

from soundseal.api.app import create_app

__all__ = ["create_app"]
