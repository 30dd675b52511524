"""Checks for what a user hands us: file paths, output paths and endpoint URLs (issue 14).

One place for the rules every command and page applies:

* :func:`read_user_file` / :func:`open_user_file`: a path the user gives must name a *regular*
  file (not a directory, FIFO, socket or device such as ``/dev/zero``), opened without blocking
  and read with a byte cap, so a special or huge file gives a clear error instead of a hang or an
  unbounded read.
* :func:`check_output_path`: a file we are asked to write: its folder exists, it is not a folder.
* :func:`check_base_url`: an ``http(s)`` URL with a host and a valid port, and no credentials in
  it (``http://user:KEY@host`` would put the key in logs, history and the store);
  :func:`strip_credentials` removes them from a URL that is only displayed or stored.

Each raises :class:`~costmodel.errors.InputError` (or the subclass passed as ``error``) whose
message names the field and says what to do.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit, urlunsplit

from costmodel.errors import InputError

__all__ = [
    "MiB",
    "check_base_url",
    "check_output_path",
    "file_kind",
    "open_user_file",
    "read_user_file",
    "safe_file_name",
    "strip_credentials",
]

MiB = 1024 * 1024


def file_kind(mode: int) -> str:
    """A word for the kind of file ``mode`` (from ``os.stat``) describes."""
    for test, word in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return word
    return "not a regular file"


def open_user_file(
    path: str | os.PathLike[str],
    *,
    field: str | None = None,
    what: str = "file",
    expect: str = "regular file",
    max_bytes: int | None = None,
    error: type[InputError] = InputError,
) -> tuple[BinaryIO, int]:
    """Open a user-named regular file for binary reading; ``(file, size)``.

    The file is opened non-blocking (a FIFO cannot hang the open) and checked on the open
    descriptor (no race between the check and the read). ``what`` names the file in messages
    ("training file"), ``expect`` says what to give instead (".jsonl file").
    """
    p = os.fspath(path)
    fix = f"give the path of a {expect}"
    try:  # look before opening: opening some devices has effects of its own (a tty, a watchdog)
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        raise error(f"{what} not found", source=p, field=field, hint="check the path") from None
    except OSError as exc:
        raise error(f"cannot read the {what}: {exc.strerror or exc}", source=p, field=field, hint=fix) from None
    if stat.S_ISDIR(mode):
        raise error(f"cannot read the {what}: Is a directory", source=p, field=field, hint=fix)
    if not stat.S_ISREG(mode):
        raise error(
            f"cannot read the {what}: it is {file_kind(mode)}, not a regular file", source=p, field=field, hint=fix
        )
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"{what} not found", source=p, field=field, hint="check the path") from None
    except OSError as exc:
        hint = fix if isinstance(exc, IsADirectoryError) else "check the path and the file's permissions"
        raise error(f"cannot read the {what}: {exc.strerror or exc}", source=p, field=field, hint=hint) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"cannot read the {what}: Is a directory", source=p, field=field, hint=fix)
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"cannot read the {what}: it is {file_kind(info.st_mode)}, not a regular file",
                source=p,
                field=field,
                hint=fix,
            )
        if max_bytes is not None and info.st_size > max_bytes:
            raise error(
                f"the {what} is {info.st_size:,} bytes, above the limit of {max_bytes:,} bytes",
                source=p,
                field=field,
                hint=f"give a file of at most {max_bytes // MiB:,} MiB",
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def read_user_file(
    path: str | os.PathLike[str],
    *,
    field: str | None = None,
    what: str = "file",
    expect: str = "regular file",
    max_bytes: int,
    error: type[InputError] = InputError,
) -> bytes:
    """The bytes of a user-named regular file of at most ``max_bytes`` (a file growing while read is cut off)."""
    fh, _size = open_user_file(path, field=field, what=what, expect=expect, max_bytes=max_bytes, error=error)
    with fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error(
            f"{what} grew above the limit of {max_bytes:,} bytes while it was read",
            source=os.fspath(path),
            field=field,
            hint=f"give a file of at most {max_bytes // MiB:,} MiB",
        )
    return data


def check_output_path(path: str | os.PathLike[str], *, field: str, error: type[InputError] = InputError) -> Path:
    """A path we may create or overwrite: its folder exists and it is not itself a folder or a device."""
    p = Path(path)
    if p.is_dir():
        raise error("is a directory", source=str(p), field=field, hint="give a file name, e.g. run.csv")
    if p.exists() and not p.is_file():
        raise error("exists and is not a regular file", source=str(p), field=field, hint="give another file name")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise error(f"the folder {parent} does not exist", source=str(p), field=field, hint="create the folder first")
    return p


def safe_file_name(name: str, *, max_chars: int = 100, default: str = "upload.jsonl") -> str:
    """A browser-supplied file name made safe to use as the last part of a path on any filesystem.

    Keeps the base name only (no folders), drops control characters, separators and characters
    that cannot be encoded (a lone surrogate), and cuts the stem so that the whole name is at most
    ``max_chars`` characters (filesystems allow 255 bytes), keeping the suffix (``.jsonl``).
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        c for c in base if c.isprintable() and c not in '<>:"|?*' and not "\ud800" <= c <= "\udfff"
    ).strip(" .")
    if not cleaned:
        return default
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = cleaned, ""
    suffix = f".{suffix}" if suffix else ""
    room = max(1, max_chars - len(suffix))
    while len((stem[:room] + suffix).encode("utf-8")) > max_chars * 2 and room > 1:  # wide characters
        room -= 1
    return (stem[:room] + suffix) or default


def _describe(url: str) -> str:
    """``url`` for a message: credentials masked, at most 200 characters."""
    short = url if len(url) <= 200 else url[:200] + "…"
    if "@" not in short:
        return short
    scheme, sep, rest = short.partition("://")
    if not sep:
        return "[URL with credentials]"
    return f"{scheme}://***@{rest.split('/', 1)[0].rpartition('@')[2]}" + (
        "/" + rest.split("/", 1)[1] if "/" in rest else ""
    )


def check_base_url(url: str, *, field: str = "--base-url", error: type[InputError] = InputError) -> str:
    """``url`` if it is an http(s) URL with a host and a valid port and without credentials; else ``error``."""
    shown = _describe(url)
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise error(f"'{shown!r}' contains spaces or control characters", field=field, hint="give the URL alone")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for 99999 or text
        host = parts.hostname
    except ValueError as exc:
        raise error(
            f"'{shown}' is not a valid URL ({exc})",
            field=field,
            hint="write it as http(s)://HOST[:PORT]/PATH, e.g. http://127.0.0.1:8080/v1",
        ) from None
    if parts.scheme not in ("http", "https"):
        raise error(
            f"'{shown}' is not an http(s) URL",
            field=field,
            hint="start it with https:// (or http:// for a local server)",
        )
    if not host:
        raise error(f"'{shown}' has no host", field=field, hint="e.g. https://api.openai.com/v1")
    if parts.username is not None or parts.password is not None:
        raise error(
            f"'{shown}' carries credentials (user:password@) in the URL",
            field=field,
            hint="remove them from the URL and set the key in the environment (e.g. OPENAI_API_KEY); "
            "a key in a URL ends up in shell history, logs and the store",
        )
    if port == 0:
        raise error(f"'{shown}' has port 0", field=field, hint="give a port from 1 to 65535")
    return url


def strip_credentials(url: str) -> str:
    """``url`` without any ``user:password@`` part (for display and storage); unparseable text is masked."""
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    except ValueError:
        return "[unparseable URL with credentials removed]"
