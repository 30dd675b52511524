"""Issue 14, classes 1, 5, 6 and part of 9: special files, malformed URLs and paths, credentials in URLs.

Every reader of a user-named file goes through ``costmodel.validate``; each is tried with every
kind of special file this machine can make (character devices, a FIFO, a socket, a directory, a
symlink to a device). URLs are tried with a table of malformed members and credential forms.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.cli import main
from costmodel.errors import InputError
from costmodel.validate import check_base_url, check_output_path, read_user_file, strip_credentials

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"
MODEL = "gpt-4o-mini-2024-07-18"

DEVICES = [
    d for d in ("/dev/zero", "/dev/null", "/dev/urandom", "/dev/random", "/dev/full", "/dev/tty") if os.path.exists(d)
]


@pytest.fixture(scope="module")
def specials(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    base = tmp_path_factory.mktemp("special")
    out = {f"device {d}": Path(d) for d in DEVICES}
    fifo = base / "fifo.jsonl"
    os.mkfifo(fifo)
    out["fifo"] = fifo
    sock_path = base / "s.sock"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    out["socket"] = sock_path
    out["directory"] = base
    link = base / "zero-link.jsonl"
    link.symlink_to("/dev/zero")
    out["symlink to /dev/zero"] = link
    yield out
    sock.close()


def _kinds() -> list[str]:
    return [f"device {d}" for d in DEVICES] + ["fifo", "socket", "directory", "symlink to /dev/zero"]


def _in_thread(fn: Callable[[], object], timeout: float = 20) -> object:
    """Run ``fn`` with a deadline: a hang (a FIFO opened blocking, /dev/zero read) fails the test."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the call hung on a special file"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


@pytest.mark.parametrize("kind", _kinds())
def test_read_user_file_refuses_every_special_file(specials: dict[str, Path], kind: str) -> None:
    with pytest.raises(InputError, match="Fix: give the path of a") as info:
        _in_thread(lambda: read_user_file(specials[kind], field="--x", max_bytes=1024))
    assert info.value.field == "--x"


def test_read_user_file_caps_the_size(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 2049)
    with pytest.raises(InputError, match="above the limit of 2,048 bytes"):
        read_user_file(big, max_bytes=2048)
    assert read_user_file(big, max_bytes=2049) == b"x" * 2049


COMMANDS: dict[str, Callable[[str, Path], list[str]]] = {
    "analyze": lambda f, db: ["analyze", f, "-m", MODEL],
    "launch --dry-run": lambda f, db: ["launch", "--provider", "openai", "--dataset", f, "--model", MODEL,
                                       "--dry-run", "--db", str(db)],
    "launch --validation-file": lambda f, db: ["launch", "--provider", "openai", "--dataset", str(SAMPLE),
                                               "--validation-file", f, "--model", MODEL, "--dry-run", "--db", str(db)],
    "bench --dataset": lambda f, db: ["bench", "--dataset", f, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                                      "--db", str(db)],
    "prices --catalog": lambda f, db: ["prices", "--catalog", f],
    "compare --scenario": lambda f, db: ["compare", "--scenario", f],
}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", ["device /dev/zero", "device /dev/urandom", "fifo", "directory", "socket"])
def test_every_command_refuses_special_files_with_exit_2(
    specials: dict[str, Path],
    kind: str,
    command: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if kind not in specials:
        pytest.skip(f"{kind} does not exist here")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    code = _in_thread(lambda: main(COMMANDS[command](str(specials[kind]), tmp_path / "s.db")))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Fix:" in err and "Traceback" not in err and "internal error" not in err
    assert "benchmarking" not in err


# --- URLs -------------------------------------------------------------------------------------

BAD_URLS = [
    "http://[::1",
    "http://[::1]:99999/v1",
    "http://127.0.0.1:99999/v1",
    "http://127.0.0.1:-1/v1",
    "http://127.0.0.1:port/v1",
    "http://127.0.0.1:0/v1",
    "http://",
    "https:///v1",
    "ftp://127.0.0.1/v1",
    "127.0.0.1:8080",
    "http://exa mple.com/v1",
    "http://127.0.0.1:9/v\x001",
    "http://127.0.0.1:9/v 1",
    "http://user:sk-LEAKCANARY@127.0.0.1:9/v1",
    "http://sk-LEAKCANARY@127.0.0.1:9/v1",
    "http://:sk-LEAKCANARY@127.0.0.1:9/v1",
    "https://a:sk-LEAKCANARY@x.openai.azure.com/openai/v1/",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_check_base_url_refuses_malformed_and_credentialed_urls(url: str) -> None:
    with pytest.raises(InputError) as info:
        check_base_url(url)
    assert "LEAKCANARY" not in str(info.value)
    assert "Fix:" in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/v1", "https://api.openai.com/v1", "http://[::1]:8080/v1", "https://x.openai.azure.com"],
)
def test_check_base_url_accepts_ordinary_urls(url: str) -> None:
    assert check_base_url(url) == url


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_property_check_base_url_only_raises_input_error_and_never_echoes_a_password(text: str) -> None:
    url = f"http://u:pw-SECRET@{text}"
    try:
        check_base_url(url)
    except InputError as exc:
        assert "pw-SECRET" not in str(exc)
    else:  # accepted: only possible when the text moved the @ out of the authority
        assert strip_credentials(url) == url or "pw-SECRET" not in strip_credentials(url).split("/")[2]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize("command", ["bench", "launch"])
def test_bench_and_launch_refuse_bad_base_urls_with_exit_2_and_store_nothing(
    url: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-hostile-0000")
    db = tmp_path / "s.db"
    if command == "bench":
        argv = ["bench", "--base-url", url, "--model", "m", "--requests", "1", "--warmup", "0", "--db", str(db)]
    else:
        argv = ["launch", "--provider", "openai", "--dataset", str(SAMPLE), "--model", MODEL, "--base-url", url,
                "--yes", "--db", str(db)]  # fmt: skip
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert "LEAKCANARY" not in out + err
    assert "Traceback" not in err and "benchmarking" not in err
    if db.exists():
        dump = "\n".join(sqlite3.connect(db).iterdump())
        assert "LEAKCANARY" not in dump


def test_bench_list_never_shows_a_key_from_a_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    code = main(["bench", "--base-url", "http://user:sk-LEAKCANARY@127.0.0.1:9/v1", "--model", "m", "--db", str(db)])
    assert code == 2
    main(["bench", "list", "--db", str(db)])
    out, err = capsys.readouterr()
    assert "LEAKCANARY" not in out + err


# --- output paths and tokenizers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [("{dir}", "is a directory"), ("{dir}/missing/x.csv", "does not exist"), ("/dev/null", "not a regular file")],
)
def test_check_output_path_refuses_directories_missing_folders_and_devices(
    tmp_path: Path, target: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        check_output_path(target.replace("{dir}", str(tmp_path)), field="--output")


def test_check_output_path_accepts_a_new_file_in_an_existing_folder(tmp_path: Path) -> None:
    assert check_output_path(tmp_path / "run.csv", field="--output") == tmp_path / "run.csv"


@pytest.mark.parametrize("name", ["nosuch", "gpt2", "O200K_BASE", "", "../o200k_base"])
def test_bench_refuses_an_unknown_tokenizer_before_the_banner(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["bench", "--tokenizer", name, "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                 "--db", str(tmp_path / "s.db")])  # fmt: skip
    err = capsys.readouterr().err
    if name == "":
        return  # empty means "from the model"
    assert code == 2, err
    assert "--tokenizer" in err and "benchmarking" not in err
