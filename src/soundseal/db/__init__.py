"""Storage: the declarative base, engines and sessions, migrations."""

from soundseal.db.base import Base, utcnow
from soundseal.db.engine import Database, create_database
from soundseal.db.migrate import upgrade

__all__ = ["Base", "Database", "create_database", "upgrade", "utcnow"]
