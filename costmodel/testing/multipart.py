"""multipart/form-data bodies (RFC 7578) as the fake API receives them from the SDK's uploads."""

from __future__ import annotations

import re

__all__ = ["parse_form_data"]


_PARAM = re.compile(r';\s*([A-Za-z0-9_*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def _header_params(value: str) -> dict[str, str]:
    """The ``; key=value`` parameters of a header (quoted strings unquoted), keys in lower case."""
    out: dict[str, str] = {}
    for m in _PARAM.finditer(value):
        raw = m.group(2).strip()
        if len(raw) >= 2 and raw[0] == raw[-1] == '"':
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        out[m.group(1).lower()] = raw
    return out


def parse_form_data(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]] | None:
    """The fields of a multipart/form-data body (RFC 7578): name -> (filename, bytes), or None when
    the body is malformed. A split on the delimiter, not the ``email`` package's line-by-line parser,
    which took most of a large upload's time."""
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        return None
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))
    fields: dict[str, tuple[str | None, bytes]] = {}
    closed = False
    for chunk in chunks[1:]:  # chunks[0]: the preamble
        if chunk.startswith(b"--"):  # the close delimiter
            closed = True
            break
        line_end = chunk.find(b"\r\n")  # the rest of the delimiter line (transport padding)
        head, sep, payload = chunk[line_end + 2 :].partition(b"\r\n\r\n")
        if line_end < 0 or not sep:
            return None
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            key, _, value = line.decode("utf-8", "replace").partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.lower().startswith("form-data"):
            return None
        params = _header_params(disposition)
        if "name" in params:
            fields[params["name"]] = (params.get("filename"), payload)
    return fields if closed else None
