"""A fast path for the registry's hottest reads: one prebuilt statement, one row.

Every API request authenticates a key, and platforms poll certificate status and verify
hashes at high rates. Through a Session or even a Core Connection each such lookup pays
~100 µs of SQLAlchemy bookkeeping around a query that SQLite answers in under 10 µs. Here a
prebuilt Core statement is compiled once per dialect and run on a pooled DBAPI connection,
with the columns' own result processors applied, so callers get the same values (timezone-
aware datetimes, decoded JSON) as through the ORM.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.orm import Session

__all__ = ["FastReader", "Reader", "fetch_one"]

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...] | None  # parameter order, for positional paramstyles
    defaults: dict[str, Any]  # literal values bound inside the statement (LIMIT, CASE …)
    # (position, conversion) of the columns that have one: most columns of most rows
    # (text, integers) come from the driver as they are.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]
    row: type


class FastReader:
    """Runs prebuilt single-row statements on pooled DBAPI connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        # SQLite: each thread keeps one read connection of its own (WAL readers never block
        # writers), which saves the pool's checkout and check-in on every lookup.
        self._local = threading.local()
        self._compiled: dict[int, _Compiled] = {}
        # Statements are module-level constants; keep them alive so their ids stay unique.
        self._statements: list[AnySelect] = []

    def _compile(self, statement: AnySelect) -> _Compiled:
        dialect = self.engine.dialect
        compiled = statement.compile(dialect=dialect)
        columns = list(statement.selected_columns)
        # Public API only (`dialect_impl`, `result_processor`): the same conversions a
        # Session applies, so a row read here equals one read through the ORM.
        conversions = (
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        processors = tuple(
            (position, convert)
            for position, convert in enumerate(conversions)
            if convert is not None
        )
        names = tuple(compiled.positiontup) if compiled.positiontup else None
        row = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]
        defaults = {k: v for k, v in compiled.params.items() if v is not None}
        entry = _Compiled(
            sql=str(compiled), names=names, defaults=defaults, processors=processors, row=row
        )
        self._statements.append(statement)
        self._compiled[id(statement)] = entry
        return entry

    def one(
        self,
        statement: AnySelect,
        params: Mapping[str, Any],
        into: Callable[..., Any] | None = None,
    ) -> Any | None:
        """The first row, as a named tuple or as `into(*columns)`."""
        entry = self._compiled.get(id(statement)) or self._compile(statement)
        values = {**entry.defaults, **params}
        args: Any = tuple(values[name] for name in entry.names) if entry.names else values
        raw = (
            self._run_sqlite(entry.sql, args) if self._sqlite else self._run_pooled(entry.sql, args)
        )
        if raw is None:
            return None
        if not entry.processors:
            return (into or entry.row)(*raw)
        row = list(raw)
        for position, convert in entry.processors:
            row[position] = convert(row[position])
        return (into or entry.row)(*row)

    def _run_sqlite(self, sql: str, args: Any) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self.engine.raw_connection()
            # Out of the pool's accounting: it must not hold a slot writers wait for.
            connection.detach()
            self._local.connection = connection
        cursor = connection.cursor()
        try:
            cursor.execute(sql, args)
            return cursor.fetchone()
        finally:
            cursor.close()

    def _run_pooled(self, sql: str, args: Any) -> Any:
        connection = self.engine.raw_connection()
        try:
            driver = connection.driver_connection
            # One statement needs no transaction: skip BEGIN and the ROLLBACK on return.
            driver.autocommit = True  # type: ignore[union-attr]
            try:
                cursor = connection.cursor()
                try:
                    cursor.execute(sql, args)
                    return cursor.fetchone()
                finally:
                    cursor.close()
            finally:
                driver.autocommit = False  # type: ignore[union-attr]
        finally:
            connection.close()


Reader = Session | FastReader


def fetch_one(
    reader: Reader,
    statement: AnySelect,
    params: Mapping[str, Any],
    into: Callable[..., Any] | None = None,
) -> Any | None:
    """The first row of a prebuilt statement, through a session or the fast path: a named
    tuple, or `into(*columns)`."""
    if isinstance(reader, FastReader):
        return reader.one(statement, params, into)
    row = reader.connection().execute(statement, dict(params)).first()
    return row if row is None or into is None else into(*row)
