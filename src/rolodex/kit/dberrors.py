"""Driver errors a user can cause, as the 4xx errors they are: a unique index's
clash is a 409 naming the field, a refused value a 400, a lost database a 503."""

from __future__ import annotations

import re
import sqlite3

from rolodex.kit.errors import Conflict, Unavailable, ValidationError

_UNIQUE_INDEX = re.compile(r"\b(ux|cx)_([a-z_]+?)_([a-z0-9_]+)\b")


def _conflict(exc: Exception) -> Conflict:
    """A unique index said no; name the field when the index is one of ours.

    Our unique indexes are ``ux_<table>_<column>`` (standard fields) and
    ``cx_<table>_<workspace>_<field id>`` (custom fields, which name no field).
    """
    text = getattr(exc, "constraint_name", None) or str(exc)
    match = _UNIQUE_INDEX.search(text)
    if match and match.group(1) == "ux":
        head, *rest = match.group(3).split("_")
        field = head + "".join(p.title() for p in rest)
        return Conflict(f"Another record already has this {field}.", field=field)
    return Conflict("Another record already has this unique value.")


def _value_error(exc: Exception) -> ValidationError:
    """A value the database refused: a 400 quoting its reason, bounded, naming the column."""
    reason = str(exc).split("\n", 1)[0].strip() or type(exc).__name__
    if len(reason) > 200:
        reason = reason[:197] + "..."
    column = getattr(exc, "column_name", None)
    field = None
    if isinstance(column, str) and column:
        head, *rest = column.split("_")
        field = head + "".join(p.title() for p in rest)
    return ValidationError(f"A value is not accepted by the database: {reason}", field=field)


def _is_value_error(exc: Exception) -> bool:
    """Whether the driver blames a value (PostgreSQL's class 22, SQLite's bounds)."""
    if isinstance(exc, OverflowError | sqlite3.DataError):
        return True
    if type(exc).__module__.startswith("asyncpg"):
        import asyncpg

        return isinstance(
            exc,
            asyncpg.exceptions.DataError  # SQLSTATE class 22: data exceptions
            | asyncpg.exceptions.ProgramLimitExceededError  # e.g. a value too big to index
            | asyncpg.exceptions._base.DataError,  # asyncpg's own check of a parameter
        )
    return False


def translate(exc: Exception) -> Exception:
    """Turn driver errors a user can cause into 4xx errors; leave bugs alone."""
    name = type(exc).__name__
    if name == "UniqueViolationError" or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    ):
        return _conflict(exc)
    if _is_value_error(exc):
        return _value_error(exc)
    if name in ("CannotConnectNowError", "ConnectionDoesNotExistError", "TooManyConnectionsError"):
        return Unavailable(f"The database is unavailable: {exc}")
    return exc
