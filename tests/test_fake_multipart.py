"""The fake API's multipart/form-data parser against the ``email`` package's (the parser it replaced)
on the bodies the SDK's HTTP client builds: same fields, same bytes, and malformed bodies refused."""

from __future__ import annotations

import email.parser
import email.policy

import httpx2
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.testing.multipart import parse_form_data


def _reference(content_type: str, body: bytes) -> dict[str, tuple[str | None, bytes]]:
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    out: dict[str, tuple[str | None, bytes]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if isinstance(name, str) and isinstance(payload, bytes):
            out[name] = (part.get_filename(), payload)
    return out


def _built(purpose: str, filename: str, content: bytes) -> tuple[str, bytes]:
    request = httpx2.Request(
        "POST", "http://127.0.0.1/v1/files", data={"purpose": purpose}, files={"file": (filename, content)}
    )
    return request.headers["Content-Type"], request.read()


@settings(max_examples=150, deadline=None)
@given(
    purpose=st.sampled_from(["fine-tune", "batch", "", "x y"]),
    filename=st.from_regex(r"[A-Za-z0-9_. -]{1,30}\.jsonl", fullmatch=True),
    content=st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.replace("\n", "\r\n").encode()),
)
def test_same_fields_as_the_email_parser(purpose: str, filename: str, content: bytes) -> None:
    ctype, body = _built(purpose, filename, content)
    if filename == filename.strip():  # the email package drops a file name's outer spaces; httpx2 sends them
        assert parse_form_data(ctype, body) == _reference(ctype, body)
    assert parse_form_data(ctype, body) == {"purpose": (None, purpose.encode()), "file": (filename, content)}


def test_content_that_looks_like_a_delimiter_is_kept() -> None:
    ctype, body = _built("fine-tune", "a.jsonl", b"--\r\n--x\r\n\r\n--")
    boundary = ctype.split("boundary=", 1)[1]
    tricky = b"line\r\n-" + boundary.encode() + b"\r\n"  # not a delimiter: one dash short
    ctype, body = _built("fine-tune", "a.jsonl", tricky)
    assert parse_form_data(ctype, body) == {"purpose": (None, b"fine-tune"), "file": ("a.jsonl", tricky)}


def test_a_quoted_boundary_and_filename_with_a_quote() -> None:
    body = b'--bq\r\nContent-Disposition: form-data; name="file"; filename="x\\"y.jsonl"\r\n\r\n{}\r\n--bq--\r\n'
    assert parse_form_data('multipart/form-data; boundary="bq"', body) == {"file": ('x"y.jsonl', b"{}")}


def test_malformed_bodies_are_refused() -> None:
    ctype, body = _built("fine-tune", "a.jsonl", b"{}\n")
    assert parse_form_data("multipart/form-data", body) is None  # no boundary
    assert parse_form_data(ctype, body[: len(body) // 2]) is None  # cut short: no close delimiter
    assert parse_form_data(ctype, body.replace(b"\r\n\r\n", b"\r\n", 1)) is None  # no blank line after headers
    assert parse_form_data(ctype, body.replace(b"form-data", b"attachment", 1)) is None
