"""The HTTP API (`/api/v1`): thin routes over the registry, mounted by `soundseal.app`."""

from soundseal.api.app import install_api

__all__ = ["install_api"]
