"""The local SQLite store: one file for everything costmodel must not lose.

Latency measurements (runs and per-request rows) and fine-tuning launch records live here.
The file is in the user's data directory (``platformdirs.user_data_dir("costmodel")``) unless
``COSTMODEL_DB`` or an explicit path says otherwise. WAL journaling and ``synchronous=NORMAL``
keep a killed process from corrupting the file; every write is its own short transaction.

:func:`connect` opens the file and migrates it to the current schema
(:mod:`costmodel.store.schema`, versioned by ``PRAGMA user_version``). It returns a
:class:`Store`: the handle the repositories take (:mod:`costmodel.latency.store` for latency
runs, :mod:`costmodel.launch.records` for launches). Callers above the repositories (the CLI,
the dashboard) hold a :class:`Store` and call repository functions; they never see SQL, a raw
``sqlite3.Connection`` or an ``sqlite3.Error``: every database failure becomes a
:class:`~costmodel.errors.StoreError` that names the file and says what to do.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from costmodel.errors import StoreError

__all__ = ["Store", "connect", "default_path"]


def default_path() -> Path:
    env = os.environ.get("COSTMODEL_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("costmodel", appauthor=False)) / "costmodel.sqlite3"


def _hint(exc: BaseException) -> str:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return "another costmodel process is writing the store; wait for it to finish and try again"
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return "the file is not a costmodel store (or is damaged): move it aside, or set COSTMODEL_DB to another file"
    if "readonly" in text or "read-only" in text or "permission" in text or "unable to open" in text:
        return "make the store file and its directory writable, or set COSTMODEL_DB to a writable file path"
    if "full" in text or "no space" in text:
        return "free disk space, or set COSTMODEL_DB to a file on another disk"
    return "check that the store file is a writable costmodel store (COSTMODEL_DB), and that the disk has space"


def store_error(exc: BaseException, doing: str, source: str | None) -> StoreError:
    """The :class:`StoreError` for a failed ``doing`` ("write the launch record", ...) on ``source``."""
    return StoreError(f"cannot {doing}: {exc}", source=source, hint=_hint(exc))


class Store:
    """An open store file. Repositories run SQL through it; every sqlite3 failure becomes a StoreError.

    Usable as a context manager (closes on exit). Safe to share between threads of one process
    (one statement at a time, as sqlite3 serialises them).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self._conn = conn
        self.path = path

    @property
    def _source(self) -> str | None:
        return None if self.path is None else str(self.path)

    # --- used by the repositories ---------------------------------------------------------------

    def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, doing: str = "write to the store") -> int:
        """Run one statement in its own (autocommit) transaction; returns the changed row count."""
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise store_error(exc, doing, self._source) from None

    def execute(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, doing: str = "use the store"
    ) -> sqlite3.Cursor:
        """Run one statement and return its cursor (for tests and ad-hoc inspection; repositories use
        :meth:`fetchall`, :meth:`fetchone` and :meth:`write`, which also wrap errors while fetching)."""
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise store_error(exc, doing, self._source) from None

    def fetchall(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, doing: str = "read the store"
    ) -> list[sqlite3.Row]:
        try:
            return list(self._conn.execute(sql, params).fetchall())
        except sqlite3.Error as exc:
            raise store_error(exc, doing, self._source) from None

    def fetchone(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = (), *, doing: str = "read the store"
    ) -> sqlite3.Row | None:
        try:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise store_error(exc, doing, self._source) from None
        return row

    @contextmanager
    def transaction(self, doing: str = "write to the store") -> Iterator[sqlite3.Connection]:
        """One short ``BEGIN IMMEDIATE`` ... ``COMMIT``; rolled back if the body raises."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(exc, doing, self._source) from None
        try:
            yield conn
        except sqlite3.Error as exc:
            self._rollback()
            raise store_error(exc, doing, self._source) from None
        except BaseException:
            self._rollback()
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise store_error(exc, doing, self._source) from None

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:  # the original failure is the one to report
            pass

    # --- for everyone -----------------------------------------------------------------------------

    @property
    def directory(self) -> Path | None:
        """The directory holding the file (``None`` for an in-memory store)."""
        return None if self.path is None else self.path.parent

    @property
    def schema_version(self) -> int:
        from costmodel.store.schema import user_version

        try:
            return user_version(self._conn)
        except sqlite3.Error as exc:
            raise store_error(exc, "read the schema version", self._source) from None

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._source or ':memory:'})"


def _check_user_path(target: Path, *, create: bool) -> None:
    """An explicit store path (``--db``) must be a regular file, or a new name (in an existing folder
    unless ``create``)."""
    import stat

    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if not create and not target.parent.is_dir():
            raise StoreError(
                f"the folder {target.parent} does not exist",
                source=str(target),
                hint="create the folder first, or give a store path in an existing folder",
            ) from None
        return
    except OSError as exc:
        raise StoreError(f"cannot open the store: {exc.strerror or exc}", source=str(target)) from None
    if not stat.S_ISREG(mode):
        raise StoreError(
            "is not a regular file (a folder or a device cannot hold the store)",
            source=str(target),
            hint="give a file path such as ~/costmodel.sqlite3",
        )


def connect(path: Path | str | None = None, *, create: bool = True) -> Store:
    """Open (creating if needed) the store and migrate it to the current schema.

    ``":memory:"`` opens a private in-memory store (tests). ``create=False`` (commands that only
    read, such as listing) never creates folders for an explicit ``path``. Raises :class:`StoreError` when the
    file cannot be opened, is not a store, or was written by a newer costmodel.
    """
    from costmodel.store.schema import migrate

    memory = str(path) == ":memory:"
    target = None if memory else (Path(path) if path is not None else default_path())
    source = ":memory:" if target is None else str(target)
    conn: sqlite3.Connection | None = None
    if target is not None and path is not None:  # a path the user chose: a regular file
        _check_user_path(target, create=create)  # create=False (listing): no folders made for it
    try:
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(source, timeout=30, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        migrate(conn, source=source)
    except (OSError, sqlite3.Error) as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"cannot open the store: {exc}", source=source, hint=_hint(exc)) from None
    except StoreError:
        if conn is not None:
            conn.close()
        raise
    return Store(conn, target)
