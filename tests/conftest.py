"""Shared fixtures. ``mini_catalog`` is a small hand-written catalogue so engine tests do not
depend on the bundled data (which has its own tests)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costmodel.prices import Catalog, ModelInfo, PriceRow

SRC = "https://example.invalid/source"

# pytest-xdist (``-n``, set in pyproject.toml): the tests of a group run on one worker, one after the
# other; every other test goes to whichever worker is free. One group, "serial": the browser tests
# (one Streamlit server and Chromium per module; they write the screenshots) and the latency tests
# that measure milliseconds, which a Chromium rendering on the other core would disturb. The group is
# the longest unit of work (about a minute), so it is scheduled first (``pytest_collection_modifyitems``
# below): it runs on one worker while the other takes the rest, instead of starting last and running
# alone. (The tests marked ``timing`` run after the parallel phase, alone: scripts/test.sh.)
# (xdist's own ``xdist_group`` mark does nothing under pytest 9: xdist 3.8 renames ``item._nodeid``,
# which pytest 9 no longer reads; so the group is listed here, by file.)
XDIST_GROUPS = {
    "tests/test_browser.py": "serial",
    "tests/test_launch_browser.py": "serial",
    "tests/test_paths_browser.py": "serial",
    "tests/test_latency_accuracy.py": "serial",
    "tests/test_latency_client.py": "serial",
    "tests/test_latency_load.py": "serial",
}


def xdist_scope(nodeid: str) -> str:
    """The unit of scheduling of a test: its group, or the test alone."""
    return XDIST_GROUPS.get(nodeid.split("::", 1)[0], nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` with the groups of :data:`XDIST_GROUPS` (see above)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileGroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return xdist_scope(nodeid)

    return FileGroupScheduling(config, log)


# scripts/test.sh's second phase runs the tests marked ``timing`` or ``alone``. Collecting the whole
# suite again to find five tests costs 5 to 10 s, so the first phase writes their ids to the file that
# COSTMODEL_ALONE_IDS names (every worker writes the same list, each atomically) and the second phase
# collects just those.
ALONE_MARKS = ("timing", "alone")
ALONE_IDS_ENV = "COSTMODEL_ALONE_IDS"


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The grouped tests first (stable: each group and the rest keep their order); see above. The ids
    of the tests to run alone go to ``$COSTMODEL_ALONE_IDS`` when it is set."""
    items.sort(key=lambda item: xdist_scope(item.nodeid) == item.nodeid)
    target = os.environ.get(ALONE_IDS_ENV)
    if target:
        alone = [item.nodeid for item in items if any(item.get_closest_marker(m) for m in ALONE_MARKS)]
        tmp = Path(f"{target}.{os.getpid()}")
        tmp.write_text("".join(f"{nodeid}\n" for nodeid in alone), encoding="utf-8")
        os.replace(tmp, target)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium for the browser tests (a failure in CI, where it is installed; else a skip)."""
    import os

    from tests.browser_support import chromium_path

    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: install Debian's chromium (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); CI installs it")
    return path


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """``streamlit run app.py`` on a free port of 127.0.0.1 for one browser test module."""
    from tests.browser_support import serve

    with serve() as url:
        yield url


def row(
    provider: str,
    model: str,
    variant: str,
    kind: str,
    tier: str,
    amount: str,
    start: str,
    end: str | None = None,
    reliability: str = "official",
) -> PriceRow:
    unit = (
        "usd_per_hour"
        if kind in ("hosting", "training_hourly", "rft_training", "ptu_hour")
        else ("usd_per_job" if kind == "rft_job_cap" else "usd_per_1m_tokens")
    )
    return PriceRow(
        provider=provider,
        model=model,
        variant=variant,
        kind=kind,
        unit=unit,
        tier=tier,
        amount=Decimal(amount),
        effective_from=date.fromisoformat(start),
        effective_to=date.fromisoformat(end) if end else None,
        source_url=None if reliability == "unconfirmed" else SRC,
        reliability=reliability,
        note="test row" if reliability == "unconfirmed" else "",
    )


def make_mini_catalog() -> Catalog:
    rows = [
        # OpenAI fine-tuned gpt-3.5-turbo: launch prices, then the DevDay cut (OpenAI posts 2023-08-22, 2023-11-06).
        row("openai", "gpt-3.5-turbo", "fine_tuned", "training", "standard", "8.00", "2023-08-22"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "input", "standard", "12.00", "2023-08-22", "2023-11-06"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "output", "standard", "16.00", "2023-08-22", "2023-11-06"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "input", "standard", "3.00", "2023-11-06"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "output", "standard", "6.00", "2023-11-06"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "input", "batch", "1.50", "2024-04-15"),
        row("openai", "gpt-3.5-turbo", "fine_tuned", "output", "batch", "3.00", "2024-04-15"),
        row("openai", "gpt-4o-mini-2024-07-18", "fine_tuned", "training", "standard", "3.00", "2024-07-18"),
        row("openai", "gpt-4o-mini-2024-07-18", "fine_tuned", "input", "standard", "0.30", "2024-07-18"),
        row("openai", "gpt-4o-mini-2024-07-18", "fine_tuned", "cached_input", "standard", "0.15", "2024-07-18"),
        row("openai", "gpt-4o-mini-2024-07-18", "fine_tuned", "output", "standard", "1.20", "2024-07-18"),
        row("openai", "gpt-4o-2024-08-06", "base", "input", "standard", "2.50", "2024-08-06"),
        row("openai", "gpt-4o-2024-08-06", "base", "cached_input", "standard", "1.25", "2024-08-06"),
        row("openai", "gpt-4o-2024-08-06", "base", "output", "standard", "10.00", "2024-08-06"),
        row("openai", "gpt-4", "base", "input", "standard", "30.00", "2023-03-14"),
        row("openai", "gpt-4", "base", "output", "standard", "60.00", "2023-03-14"),
        # Azure gpt-35-turbo, late-2023 era (unconfirmed hourly figures), then token billing.
        row(
            "azure",
            "gpt-35-turbo",
            "fine_tuned",
            "training_hourly",
            "standard",
            "45.00",
            "2023-10-01",
            "2024-07-01",
            "unconfirmed",
        ),
        row("azure", "gpt-35-turbo", "fine_tuned", "training", "standard", "8.00", "2024-07-01", None, "unconfirmed"),
        row(
            "azure",
            "gpt-35-turbo",
            "fine_tuned",
            "hosting",
            "standard",
            "7.00",
            "2023-10-01",
            "2024-07-01",
            "unconfirmed",
        ),
        row("azure", "gpt-35-turbo", "fine_tuned", "hosting", "standard", "1.70", "2024-07-01"),
        row("azure", "gpt-35-turbo", "fine_tuned", "input", "standard", "1.50", "2023-10-01", None, "third_party"),
        row("azure", "gpt-35-turbo", "fine_tuned", "output", "standard", "2.00", "2023-10-01", None, "third_party"),
        row("azure", "o4-mini-2025-04-16", "fine_tuned", "rft_training", "global", "100.00", "2025-05-08"),
        row("azure", "o4-mini-2025-04-16", "fine_tuned", "rft_job_cap", "global", "5000", "2025-05-08"),
    ]
    models = [
        ModelInfo(
            provider="openai",
            model="gpt-3.5-turbo",
            aliases=("gpt-3.5-turbo-0125",),
            fine_tunable=True,
            encoding="cl100k_base",
            training_context_tokens=16385,
        ),
        ModelInfo(
            provider="openai",
            model="gpt-4o-mini-2024-07-18",
            aliases=("gpt-4o-mini",),
            fine_tunable=True,
            encoding="o200k_base",
            training_context_tokens=65536,
        ),
        ModelInfo(provider="openai", model="gpt-4o-2024-08-06", aliases=("gpt-4o",), encoding="o200k_base"),
        ModelInfo(provider="openai", model="gpt-4", encoding="cl100k_base"),
        ModelInfo(
            provider="azure",
            model="gpt-35-turbo",
            aliases=("gpt-3.5-turbo",),
            fine_tunable=True,
            encoding="cl100k_base",
            training_context_tokens=4096,
        ),
        ModelInfo(
            provider="azure", model="o4-mini-2025-04-16", aliases=("o4-mini",), fine_tunable=True, encoding="o200k_base"
        ),
    ]
    return Catalog(rows, models)


@pytest.fixture
def mini_catalog() -> Catalog:
    return make_mini_catalog()


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes to the user's real data directory: the store goes to a temp file."""
    monkeypatch.setenv("COSTMODEL_DB", str(tmp_path_factory.mktemp("store") / "costmodel.sqlite3"))


# -- no test talks to anything but this machine --------------------------------------------------
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _loopback(host: object) -> bool:
    import ipaddress

    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    host = host.strip("[]").split("%", 1)[0]
    if host.lower() in _LOOPBACK_NAMES or host == "":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OutsideConnection(OSError):
    """Raised when code under test tries to reach a host other than this machine."""


def pytest_configure(config: pytest.Config) -> None:
    """Every test process (xdist workers included) refuses connections and name lookups beyond
    127.0.0.1/::1 (the developers' guide: tests talk only to local servers). Child processes the
    tests start (Streamlit, the CLI) are not covered by this; they are given local URLs."""
    import socket

    real_connect, real_connect_ex, real_getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def _check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            raise OutsideConnection(f"a test tried to connect to {address[0]!r}: only 127.0.0.1 is allowed")

    def connect(self: socket.socket, address: Any) -> None:
        _check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self, address)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _loopback(host):
            raise OutsideConnection(f"a test tried to look up {host!r}: only 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    scan_components_once()


def scan_components_once() -> None:
    """Streamlit's AppTest scans every installed distribution for component manifests on each new
    AppTest (about 0.17 s of CPU; some 170 times in a run, a third of the dashboard tests' CPU). A
    real server scans once, at start; the installed packages do not change during a run; so the
    first scan's result is kept and every later AppTest gets a copy."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # pragma: no cover - the dev extra installs streamlit
        return
    real = manifest_scanner.scan_component_manifests
    found: list[Any] = []

    def scan_once(max_workers: int | None = None) -> Any:
        if not found:
            scan_once.real_scans += 1  # type: ignore[attr-defined]
            found.append(real(max_workers))
        return list(found[0])

    scan_once.real_scans = 0  # type: ignore[attr-defined]  # tests/test_ui_app.py checks it
    manifest_scanner.scan_component_manifests = scan_once
