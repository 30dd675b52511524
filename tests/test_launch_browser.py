"""The Launch page in headless Chromium: estimate, confirm, launch, status, against the fake API.

Runs ``streamlit run tests/launch_page_app.py`` on a free port with the fake server's URL and a
fake key in the environment, drives it with Playwright and Debian's Chromium, and saves
``artifacts/screenshots/launch.png``. Skipped (with the reason shown by ``-ra``) only when
``/usr/bin/chromium`` is absent.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.launch_helpers import FAKE_KEY, write_dataset

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "artifacts" / "screenshots" / "launch.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,  # one worker, one test at a time (tests/conftest.py: XDIST_GROUPS)
    # run after the parallel phase, with the machine to itself: beside a busy worker the double-click
    # launch once ended with the button disabled and nothing launched (see the closing note of stop 16)
    pytest.mark.alone,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[str, FakeOpenAIServer, Path]]:
    fake = FakeOpenAIServer(validate_s=0.2, queue_s=0.2, run_s=0.4, trained_tokens_override=31_000).start()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(
        OPENAI_API_KEY=FAKE_KEY,
        OPENAI_BASE_URL=fake.openai_base_url,
        COSTMODEL_DB=str(tmp_path / "store.sqlite3"),
        PYTHONPATH=str(ROOT),
    )
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "tests" / "launch_page_app.py"),
        "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError(f"streamlit did not start: {out[-2000:]}")
            time.sleep(0.3)
        yield url, fake, write_dataset(tmp_path / "train.jsonl")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake.stop()


def test_launch_page_in_chromium(app: tuple[str, FakeOpenAIServer, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=90_000)  # as the page's own default below: a busy machine renders slowly
    url, fake, dataset = app
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2200})
            page.set_default_timeout(90_000)
            page.goto(url)
            expect(page.get_by_text("Launch fine-tuning").first).to_be_visible()

            # estimate: choose the training file
            path_box = page.get_by_label("Training file path (.jsonl)")
            path_box.fill(str(dataset))
            path_box.press("Enter")
            expect(page.get_by_test_id("stMetricValue").first).to_have_text("$0.09")  # 10,000 x 3 x $3.00 / 1M
            expect(page.get_by_text("copy_of_official").first).to_be_visible()
            assert fake.requests == []  # nothing sent before the click

            # confirm, then launch
            launch_button = page.get_by_role("button", name="Launch", exact=True)
            expect(launch_button).to_be_disabled()
            page.get_by_text("I have seen the estimate of $0.09").click()
            expect(launch_button).to_be_enabled()
            launch_button.dblclick()  # an impatient double click
            expect(page.get_by_text("Already launched").first).to_be_visible()
            page.reload()  # a browser refresh: new session, same launch
            path_box = page.get_by_label("Training file path (.jsonl)")
            path_box.fill(str(dataset))
            path_box.press("Enter")
            expect(page.get_by_text("Already launched").first).to_be_visible()
            assert len(fake.jobs()) == 1
            assert fake.count("jobs.create") == 1 and fake.count("files.create") == 1

            # status: refresh until the job has succeeded, then the actual cost is beside the estimate
            deadline = time.monotonic() + 30
            while True:
                page.get_by_role("button", name="Refresh status").click()
                page.wait_for_timeout(300)
                if page.get_by_text("succeeded").count() > 0 or time.monotonic() > deadline:
                    break
            expect(page.get_by_text("succeeded").first).to_be_visible()
            expect(page.get_by_text("$0.093").first).to_be_visible()  # 31,000 x $3.00 / 1M
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
    assert len(fake.jobs()) == 1
