"""The local SQLite store: one file for everything costmodel must not lose.

Latency measurements (runs and per-request rows) and fine-tuning launch records live here.
The file is in the user's data directory (``platformdirs.user_data_dir("costmodel")``) unless
``COSTMODEL_DB`` or an explicit path says otherwise. WAL journaling and ``synchronous=NORMAL``
keep a killed process from corrupting the file; every write is its own short transaction.

Feature modules register their schema with :func:`register_schema`; :func:`connect` applies
every registered schema (``CREATE TABLE IF NOT EXISTS`` statements) once per connection.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from costmodel.errors import StoreError

__all__ = ["connect", "default_path", "register_schema"]

_SCHEMAS: dict[str, str] = {}


def register_schema(name: str, ddl: str) -> None:
    """Register a block of ``CREATE TABLE IF NOT EXISTS ...`` statements under ``name``."""
    _SCHEMAS[name] = ddl


def default_path() -> Path:
    env = os.environ.get("COSTMODEL_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("costmodel", appauthor=False)) / "costmodel.sqlite3"


def connect(path: Path | str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the store and apply every registered schema."""
    target = Path(path) if path is not None else default_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(target, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        for ddl in _SCHEMAS.values():
            conn.executescript(ddl)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError(
            f"cannot open the store: {exc}",
            source=str(target),
            hint="set COSTMODEL_DB to a writable file path, or free disk space",
        ) from None
    return conn
