"""What the faster analysis changed keeps its results: statistics without numpy, duplicates in the
same order, worker processes forked after the encoding is built, and the imports of the command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costmodel.dataset import _analyze
from costmodel.dataset._analyze import _distribution, _duplicates, _percentile

ROOT = Path(__file__).resolve().parent.parent

counts = st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=400)


# Hand-checked (PERCENTILE.INC in a spreadsheet gives the same figures): index (n - 1) x q / 100,
# then linear interpolation between the two order statistics around it.
@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([7], 5, 7.0),  # one value: every percentile is it
        ([1, 2, 3, 4], 50, 2.5),  # index 1.5: halfway between 2 and 3
        ([10, 20], 95, 19.5),  # index 0.95: 10 + 10 x 0.95
        ([10, 20], 5, 10.5),  # index 0.05
        ([0, 100, 200, 300, 400], 5, 20.0),  # index 0.2: 0 + 100 x 0.2
        ([0, 100, 200, 300, 400], 95, 380.0),  # index 3.8: 400 - 100 x 0.2
        ([3, 3, 3], 50, 3.0),
    ],
)
def test_percentile_hand_checked(values: list[int], q: int, expected: float) -> None:
    assert _percentile(sorted(values), q) == expected


@settings(max_examples=300, deadline=None)
@given(counts)
def test_distribution_is_numpy_to_the_last_bit(values: list[int]) -> None:
    """numpy.percentile's default method and numpy's mean, the figures the analysis gave before it
    stopped importing numpy: the JSON output prints floats in full, so they must agree exactly."""
    d = _distribution(values)
    assert d is not None
    arr = np.array(values, dtype=np.int64)
    p5, median, p95 = np.percentile(arr, [5, 50, 95])
    assert (d.min, d.max) == (int(arr.min()), int(arr.max()))
    assert d.mean == float(arr.mean())
    assert (d.p5, d.median, d.p95) == (float(p5), float(median), float(p95))


def test_distribution_of_nothing_is_none() -> None:
    assert _distribution([]) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), max_size=60))
def test_duplicates_in_the_order_of_a_stable_sort_by_hash(hashes: list[int]) -> None:
    """The order numpy's stable argsort gave (problems beyond the first 1,000 per code are only
    counted, so the order decides which are listed)."""
    expected: list[tuple[int, int]] = []
    order = sorted(range(len(hashes)), key=lambda i: hashes[i])  # Python's sort is stable
    for pos in range(1, len(order)):
        if hashes[order[pos]] == hashes[order[pos - 1]]:
            start = pos
            while start > 0 and hashes[order[start - 1]] == hashes[order[pos]]:
                start -= 1
            expected.append((order[pos], order[start]))
    assert _duplicates(hashes) == expected


def test_duplicates_hand_checked() -> None:
    # hashes 9, 4, 9, 4, 9: the 4s first (smaller hash), then the 9s, each pointing at its first line
    assert _duplicates([9, 4, 9, 4, 9]) == [(3, 1), (2, 0), (4, 0)]


def test_analyze_command_imports_no_numpy() -> None:
    """numpy cost the command about 0.1 s of start-up for three percentiles (issue 9)."""
    sample = ROOT / "data" / "sample" / "recipes.jsonl"
    probe = (
        "import io, json, sys, contextlib\n"
        "from costmodel.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main(['analyze', {str(sample)!r}, '-m', 'gpt-4o-mini', '--json'])\n"
        "print(json.dumps([code, json.loads(out.getvalue())['billed_tokens'], sorted(sys.modules)]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    code, billed, modules = json.loads(out.stdout)
    assert code == 0
    assert billed > 0  # the probe ran the analysis
    assert not {m for m in modules if m.split(".")[0] == "numpy"}


def test_the_analysis_module_does_not_import_numpy() -> None:
    assert "numpy" not in vars(_analyze)


FORK_PROBE = r"""
import json, os, sys
from costmodel.dataset import _analyze, _reader, analyze_bytes, tokens

built = []
real = tokens.cached_mergeable_ranks


def counting(name, **kw):
    built.append(os.getpid())
    with open(sys.argv[2], "a") as f:
        f.write(f"{os.getpid()}\n")
    return real(name, **kw)


tokens.cached_mergeable_ranks = counting
data = open(sys.argv[1], "rb").read()
one = analyze_bytes(data, model="gpt-4o", workers=1)
tokens.get_encoding.cache_clear()
_analyze._lines._counter_for.cache_clear()
_reader.DEFAULT_CHUNK_BYTES = 8_000
_analyze.FORK_IN_PROCESS_MAX_BYTES = 0
method = _analyze.start_method()
two = analyze_bytes(data, model="gpt-4o", workers=3)
print(json.dumps({"method": method, "same": one == two, "parent": os.getpid(), "examples": two.examples}))
"""


def test_forked_workers_reuse_the_encoding_built_before_the_fork(tmp_path: Path) -> None:
    """In a single-threaded process (the command line) workers are forked after the encoding is
    built: they give the same analysis and never load the vocabulary again."""
    from tests.test_dataset import generated, jsonl

    data = tmp_path / "train.jsonl"
    data.write_bytes(jsonl(generated(seed=7, n=300)) + b"{oops\n" + jsonl(generated(seed=7, n=4)))
    loads = tmp_path / "loads.txt"
    out = subprocess.run(
        [sys.executable, "-c", FORK_PROBE, str(data), str(loads)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result = json.loads(out.stdout)
    assert result["method"] == "fork"
    assert result["same"] is True
    assert result["examples"] == 304
    # loaded twice by the parent (once per run, the caches cleared between), never by a worker
    assert loads.read_text().split() == [str(result["parent"])] * 2


def test_a_threaded_caller_gets_spawned_workers() -> None:
    """Forking a process that runs other threads (the dashboard) could copy a held lock."""
    import threading

    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert _analyze.start_method() == "spawn"
    finally:
        stop.set()
        t.join()


def test_forked_workers_start_from_a_smaller_file_than_spawned_ones() -> None:
    assert _analyze._in_process_max_bytes("fork") == _analyze.FORK_IN_PROCESS_MAX_BYTES
    assert _analyze._in_process_max_bytes("spawn") == _analyze.IN_PROCESS_MAX_BYTES
    assert _analyze.FORK_IN_PROCESS_MAX_BYTES < _analyze.IN_PROCESS_MAX_BYTES


class _Chars:
    """A stand-in encoding: one token per character (counting is what is compared, not BPE)."""

    name = "chars"

    def encode_ordinary(self, text: str) -> list[int]:
        return [ord(c) for c in text]


plain_message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["system", "user", "assistant"]),
        "content": st.text(min_size=1, max_size=30),
    }
)


@settings(max_examples=200, deadline=None)
@given(st.lists(plain_message, min_size=1, max_size=8))
def test_plain_messages_count_as_the_general_walk(messages: list[dict[str, str]]) -> None:
    from costmodel.dataset.tokens import TokenCounter

    counter = TokenCounter(_Chars())
    total, assistant, estimated = counter.messages(messages)
    assert counter.plain_messages(messages) == (total, assistant)
    assert not estimated


def test_plain_messages_hand_checked() -> None:
    from costmodel.dataset.tokens import TokenCounter

    # one token per character: 3 + len("system") 6 + 5; 3 + len("assistant") 9 + 2
    chat = [{"role": "system", "content": "be ok"}, {"role": "assistant", "content": "ok"}]
    assert TokenCounter(_Chars()).plain_messages(chat) == (28, 2)


def test_a_plain_example_and_the_general_path_give_the_same_analysis() -> None:
    """The same examples forced through the general walk (an empty ``tools`` list is counted, so
    the plain path does not apply) differ only by the tools' tokens."""
    from costmodel.dataset import analyze_bytes
    from tests.test_dataset import jsonl

    rows = [
        {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": f"What is {i} + {i}? " * (1 + i % 3)},
                {"role": "assistant", "content": f"{2 * i}. Anything else about number {i}?"},
            ]
        }
        for i in range(30)
    ]
    plain = analyze_bytes(jsonl(rows), model="gpt-4o", workers=1)
    with_tools = analyze_bytes(jsonl([{**r, "tools": []} for r in rows]), model="gpt-4o", workers=1)
    # "[]" is one token in o200k_base (tiktoken), counted once per example on the general path
    assert with_tools.per_example_tokens == tuple(t + 1 for t in plain.per_example_tokens)
    assert with_tools.stats.assistant_tokens_per_example == plain.stats.assistant_tokens_per_example
    assert not plain.token_counts_are_estimates


@pytest.mark.parametrize("module", ["costmodel.dataset.tokens", "costmodel.dataset._analyze"])
def test_docstring_examples_run(module: str) -> None:
    import doctest
    import importlib

    failed, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0
    assert failed == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"messages": [{"role": "user", "content": "a\\ud800b"}]}', "invalid_unicode"),
        (b'{"messages": [{"role": "user", "content": "a\\uD800b"}]}', "invalid_unicode"),
        (b'{"\\udfff": 1, "messages": []}', "invalid_unicode"),
        (b'{"messages": [{"role": "user", "content": "\\ud83d\\ude00"}]}', None),  # a valid pair
        (b'{"messages": [{"role": "user", "content": "a\\\\ud800"}]}', None),  # an escaped backslash: text
    ],
)
def test_lone_surrogate_escapes_are_still_found(line: bytes, expected: str | None) -> None:
    from costmodel.dataset._lines import analyze_chunk

    result = analyze_chunk(line + b"\n", 1, at_file_start=True, encoder=_Chars())
    found = "invalid_unicode" if "invalid_unicode" in result.counts else None
    assert found == expected


PREFETCH_PROBE = r"""
import contextlib, io, json, os, sys
from costmodel.dataset import _lines, _prefetch, _reader, tokens

mode, argv = sys.argv[1], sys.argv[2:]
_lines.MAX_LINE_BYTES = 4_000  # an oversized line is reported by whoever counts...
_reader.DEFAULT_CHUNK_BYTES = 1_000  # ...and skipped by the reader (many small chunks)
used = []
real_start = _prefetch.Prefetch.start.__func__
real_take = _prefetch.Prefetch.take


def start(cls, *args, **kwargs):
    p = real_start(cls, *args, **kwargs)
    used.append("started" if p is not None else "not started")
    return p


def take(self, encoding_name):
    got = real_take(self, encoding_name)
    used.append("taken" if got is not None else "dropped")
    return got


_prefetch.Prefetch.take = take
if mode == "off":
    _prefetch.Prefetch.start = classmethod(lambda cls, *a, **k: None)
else:
    _prefetch.Prefetch.start = classmethod(start)
if mode == "wrong-guess":
    tokens.encoding_name_for_model = lambda model: "cl100k_base"
if mode == "child-fails":
    _prefetch._child = lambda *a: os._exit(3)
out = io.StringIO()
from costmodel.cli import main

with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    code = main(argv)
print(json.dumps({"code": code, "out": out.getvalue(), "used": used, "tiktoken": "tiktoken" in sys.modules}))
"""


def _probe(mode: str, *argv: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", PREFETCH_PROBE, mode, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def messy_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Problems of every kind the count reports: a blank line, bad JSON, an oversized line (over the
    probe's 4,000-byte limit), a duplicate, plus the sample's own."""
    sample = (ROOT / "data" / "sample" / "recipes_with_problems.jsonl").read_bytes()
    lines = sample.splitlines(keepends=True)
    big = b'{"messages": [{"role": "user", "content": "' + b"x" * 5000 + b'"}]}\n'
    path = tmp_path_factory.mktemp("prefetch") / "messy.jsonl"
    path.write_bytes(b"".join([*lines[:5], b"\n", b"{nope\n", big, lines[3], *lines[5:]]))
    return path


def test_the_early_count_lists_the_same_problems_past_the_cap(tmp_path: Path) -> None:
    """More problems of one code than are listed (1,000), spread over many chunks: the child keeps
    only those the merge would list, and the listing and counts are the same as this process' own."""
    path = tmp_path / "errors.jsonl"
    rows = (ROOT / "data" / "sample" / "recipes.jsonl").read_bytes().splitlines(keepends=True)[:20]
    path.write_bytes(b"".join(rows) + b"[1]\n" * 2500 + b"\n" * 1200 + b"".join(rows))
    argv = ["analyze", str(path), "-m", "gpt-4o-mini", "--json"]
    off = _probe("off", *argv)
    on = _probe("on", *argv)
    assert on["used"] == ["started", "taken"]
    assert (on["code"], on["out"]) == (off["code"], off["out"])
    data = json.loads(str(off["out"]))
    assert data["problem_counts"]["not_an_object"] == 2500
    assert sum(1 for p in data["problems"] if p["code"] == "not_an_object") == 1000
    assert data["problems_omitted"] > 0


@pytest.mark.parametrize("fmt", [[], ["--json", "--per-example"]])
def test_the_early_count_gives_the_command_s_output(messy_file: Path, fmt: list[str]) -> None:
    argv = ["analyze", str(messy_file), "-m", "gpt-4o-mini", *fmt]
    off = _probe("off", *argv)
    on = _probe("on", *argv)
    assert on["used"] == ["started", "taken"]
    assert on["tiktoken"] is False  # counted in the forked child: this process never built the encoding
    assert off["tiktoken"] is True
    assert (on["code"], on["out"]) == (off["code"], off["out"])
    assert off["code"] == 1  # errors in the file: the probe does exercise the problem paths
    assert "line_too_long" in str(off["out"]) and "duplicate_example" in str(off["out"])


@pytest.mark.parametrize(
    ("mode", "used"),
    [
        ("wrong-guess", ["started", "dropped"]),  # the registry names another encoding than the family guess
        ("child-fails", ["started", "dropped"]),
    ],
)
def test_an_unusable_early_count_is_dropped(messy_file: Path, mode: str, used: list[str]) -> None:
    argv = ["analyze", str(messy_file), "-m", "gpt-4o-mini", "--json"]
    off = _probe("off", *argv)
    got = _probe(mode, *argv)
    assert got["used"] == used
    assert got["tiktoken"] is True  # this process counted
    assert (got["code"], got["out"]) == (off["code"], off["out"])


def test_no_early_count_for_what_it_cannot_help(tmp_path: Path) -> None:
    from costmodel.dataset._prefetch import Prefetch

    sample = ROOT / "data" / "sample" / "recipes.jsonl"
    assert Prefetch.start(tmp_path / "missing.jsonl", model="gpt-4o-mini") is None  # the analysis reports it
    assert Prefetch.start(tmp_path, model="gpt-4o-mini") is None  # a directory
    assert Prefetch.start(sample, model="gpt-4o-mini", workers=0) is None


def test_a_model_of_no_known_family_gets_no_early_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child guesses the encoding by name: for no known family it counts nothing (the registry
    decides, in this process)."""
    import os

    from costmodel.dataset import _prefetch

    monkeypatch.setattr(_prefetch, "start_method", lambda: "fork")
    # as in a fresh command: no encoding built in this process yet (other tests built one), no child yet
    monkeypatch.delitem(sys.modules, "costmodel.dataset.tokens", raising=False)
    monkeypatch.setattr(_prefetch, "_STARTED_BEFORE", False)
    p = _prefetch.Prefetch.start(ROOT / "data" / "sample" / "recipes.jsonl", model="llama-3-8b")
    assert p is not None
    assert p.take("o200k_base") is None
    with pytest.raises(ChildProcessError):
        os.waitpid(p.pid, os.WNOHANG)  # ended and reaped


def test_an_untaken_early_count_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from costmodel.dataset import _prefetch

    monkeypatch.setattr(_prefetch, "start_method", lambda: "fork")
    # as in a fresh command: no encoding built in this process yet (other tests built one), no child yet
    monkeypatch.delitem(sys.modules, "costmodel.dataset.tokens", raising=False)
    monkeypatch.setattr(_prefetch, "_STARTED_BEFORE", False)
    p = _prefetch.Prefetch.start(ROOT / "data" / "sample" / "recipes.jsonl", model="gpt-4o-mini")
    assert p is not None
    p.close()
    p.close()  # idempotent
    with pytest.raises(ChildProcessError):
        os.waitpid(p.pid, os.WNOHANG)  # reaped: no zombie left
    assert p.take("o200k_base") is None


def test_no_early_count_when_this_process_has_the_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """A script or a batch that analyses file after file builds the encoding once: counting in this
    process is then cheaper than a child that would load and build it again."""
    from costmodel.dataset import _prefetch
    from costmodel.dataset.tokens import get_encoding, is_built

    monkeypatch.setattr(_prefetch, "start_method", lambda: "fork")
    get_encoding("o200k_base")
    assert is_built("o200k_base")
    assert _prefetch.Prefetch.start(ROOT / "data" / "sample" / "recipes.jsonl", model="gpt-4o-mini") is None


@pytest.mark.parametrize("enabled", [True, False])
def test_the_command_restores_the_garbage_collector(enabled: bool, capsys: pytest.CaptureFixture[str]) -> None:
    import gc

    from costmodel.cli import main

    (gc.enable if enabled else gc.disable)()
    try:
        assert main(["analyze", str(ROOT / "data" / "sample" / "recipes.jsonl"), "-m", "gpt-4o-mini"]) == 0
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert "billed tokens:" in capsys.readouterr().out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_the_command_leaves_no_early_count_behind(tmp_path: Path, sig: signal.Signals) -> None:
    """The early count's child dies with the command, whatever ended it (issue 14), like a worker."""
    from tests.test_hostile_processes import ENV, _big_dataset, first_children, still_alive

    big = _big_dataset(tmp_path / "big.jsonl", lines=60_000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "costmodel", "analyze", str(big), "-m", "gpt-4o-mini", "--workers", "1"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        kids = first_children(proc, "its child", poll_s=0.02)
        assert kids, f"expected the early count's child under {proc.pid}"
        proc.send_signal(sig)
        proc.wait(timeout=30)
        assert still_alive(kids) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_second_analysis_in_one_process_counts_in_the_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child's encoding dies with it: a process that analyses again (a script, the tests) builds
    the encoding itself, once, rather than a new child each time."""
    from costmodel.dataset import _prefetch

    monkeypatch.setattr(_prefetch, "start_method", lambda: "fork")
    monkeypatch.delitem(sys.modules, "costmodel.dataset.tokens", raising=False)
    monkeypatch.setattr(_prefetch, "_STARTED_BEFORE", False)
    sample = ROOT / "data" / "sample" / "recipes.jsonl"
    first = _prefetch.Prefetch.start(sample, model="gpt-4o-mini")
    assert first is not None
    first.close()
    assert _prefetch.Prefetch.start(sample, model="gpt-4o-mini") is None
