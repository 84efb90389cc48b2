"""soundseal: a self-hostable provenance registry for recorded music."""

from soundseal.__about__ import __version__

__all__ = ["__version__"]
