"""The test processes refuse any connection beyond this machine (tests/conftest.py)."""

from __future__ import annotations

import socket
import urllib.request

import pytest


@pytest.mark.parametrize(
    "url", ["https://prices.azure.com/api/retail/prices", "http://93.184.216.34/", "http://[2001:db8::1]/"]
)
def test_an_outside_url_is_refused_before_any_packet(url: str) -> None:
    with pytest.raises(OSError, match=r"only 127\.0\.0\.1 is allowed"):
        urllib.request.urlopen(url, timeout=1)


def test_a_raw_socket_to_an_outside_address_is_refused() -> None:
    with socket.socket() as s, pytest.raises(OSError, match=r"only 127\.0\.0\.1 is allowed"):
        s.connect(("192.0.2.1", 443))


def test_loopback_still_connects() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    finally:
        server.close()
