"""``costmodel diff``: hand-checked deltas between presets, links with a bad path, JSON and Markdown shapes.

Hand checks (prices from the rows of data/prices.csv in force on 2025-06-02; 730 hours a month,
so 20,000 requests a day = 608,333.33 requests a month):

* preset azure-vs-openai-gpt-4.1-mini at 2025-06-02, OpenAI fine-tuned gpt-4.1-mini ($0.80 in / $3.20 out
  per 1M, training $5.00 per 1M): input 600 x 608,333.33 = 365M tokens x $0.80 = $292.00; output 182.5M x $3.20 =
  $584.00; monthly $876.00; training 2M x 3 epochs x $5 = $30.00; 12 months: $10,542.00.
* the same preset, Azure Regional Standard ($0.44 / $1.76 per 1M, $1.70 per hosted hour, training $5.50 per 1M):
  $160.60 + $321.20 + 730 x $1.70 = $1,241.00 -> $1,722.80 a month; training $33.00; 12 months $20,706.60.
* preset fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o: 5,000 requests a day = 152,083.33 a month. gpt-4o base
  ($2.50 / $10.00): (300 + 2,000 few-shot) x 152,083.33 = 349.79M x $2.50 = $874.48; 250 x ... = 38.02M x $10 =
  $380.21; $1,254.69 a month, $15,056.25 over 12 months. Fine-tuned gpt-4o-mini ($0.30 / $1.20, training $3.00):
  45.625M x $0.30 = $13.69 + $45.62 = $59.31 a month; training 400k x 3 x $3 = $3.60; 12 months $715.35.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from costmodel.cli import main
from costmodel.engine.scenario import load_scenario
from costmodel.present.diff import diff_scenarios, to_markdown
from costmodel.prices import bundled_catalog

PRESETS = Path(__file__).resolve().parent.parent / "data" / "scenarios"
AZ_OAI = str(PRESETS / "azure-vs-openai-gpt-4.1-mini.yaml")
FT_FS = str(PRESETS / "fine-tune-gpt-4o-mini-vs-few-shot-gpt-4o.yaml")
DAY = "2025-06-02"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_two_presets_hand_checked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", AZ_OAI, FT_FS, "--as-of", DAY, "--json")
    assert code == 0
    data = json.loads(out)
    paths = {p["path"]: p for p in data["paths"]}
    oai = paths["openai:gpt-4.1-mini:ft@standard"]
    assert oai["status"] == "only_a"
    assert oai["monthly"] == {"a": "876.00", "b": None, "delta": "-876.00"}
    assert oai["horizon"] == {"a": "10542.00", "b": None, "delta": "-10542.00"}
    az = paths["azure:gpt-4.1-mini:ft@standard"]
    assert az["monthly"]["a"] == "1722.80" and az["training"]["a"] == "33.00" and az["horizon"]["a"] == "20706.60"
    hosting = next(li for li in az["lines"] if li["kind"] == "hosting")
    assert (hosting["a"], hosting["delta"]) == ("1241.00", "-1241.00")
    base = paths["openai:gpt-4o:base@standard"]
    assert base["monthly"] == {"a": None, "b": "1254.69", "delta": "1254.69"}
    assert base["horizon"]["b"] == "15056.25"
    ft = paths["openai:gpt-4o-mini:ft@standard"]
    assert (ft["monthly"]["b"], ft["training"]["b"], ft["horizon"]["b"]) == ("59.31", "3.60", "715.35")
    assert data["cheapest"]["a"] == {"path": "openai:gpt-4.1-mini:ft@standard", "horizon": "10542.00"}
    assert data["cheapest"]["b"] == {"path": "openai:gpt-4o-mini:ft@standard", "horizon": "715.35"}
    changed = {c["field"]: (c["a"], c["b"]) for c in data["inputs_changed"]}
    assert changed["traffic.requests_per_day"] == ("20000", "5000")
    assert changed["traffic.few_shot_tokens"] == (0, 2000)
    assert changed["training.tokens"] == (2000000, 400000)
    assert "horizon_months" not in changed and "training.epochs" not in changed


def test_same_paths_different_traffic_line_deltas(tmp_path: Path) -> None:
    # Doubling requests per day doubles every token line and leaves hosting and training alone:
    # OpenAI +$292.00 input, +$584.00 output; Azure +$160.60, +$321.20, hosting +$0.00.
    text = Path(AZ_OAI).read_text(encoding="utf-8").replace("requests_per_day: 20000", "requests_per_day: 40000")
    doubled = tmp_path / "doubled.yaml"
    doubled.write_text(text, encoding="utf-8")
    d = diff_scenarios(bundled_catalog(), load_scenario(Path(AZ_OAI)), load_scenario(doubled), as_of=date(2025, 6, 2))
    assert [(c.field, c.a, c.b) for c in d.inputs] == [("traffic.requests_per_day", Decimal(20000), Decimal(40000))]
    # engine amounts are unrounded Decimals (1/24 of a day has no finite decimal): compare to the cent
    deltas = {(p.path, li.kind): round(li.delta, 2) for p in d.paths for li in p.lines if li.delta is not None}
    assert deltas[("openai:gpt-4.1-mini:ft@standard", "input")] == Decimal("292.00")
    assert deltas[("openai:gpt-4.1-mini:ft@standard", "output")] == Decimal("584.00")
    assert deltas[("azure:gpt-4.1-mini:ft@standard", "input")] == Decimal("160.60")
    assert deltas[("azure:gpt-4.1-mini:ft@standard", "hosting")] == 0
    assert deltas[("azure:gpt-4.1-mini:ft@standard", "training")] == 0
    oai = d.paths[0]
    assert oai.monthly_delta is not None and oai.horizon_delta is not None
    assert round(oai.monthly_delta, 2) == Decimal("876.00") and round(oai.horizon_delta, 2) == Decimal("10512.00")


def test_markdown_is_a_pull_request_comment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", AZ_OAI, FT_FS, "--as-of", DAY, "--markdown")
    assert code == 0
    assert out.startswith("### Cost diff: azure-vs-openai-gpt-4.1-mini.yaml")
    assert "| `openai:gpt-4.1-mini:ft@standard` | $876.00 | absent | -$876.00 |" in out
    assert "| `traffic.few_shot_tokens` | 0 | 2000 |" in out
    assert "<details><summary>Line items</summary>" in out


def test_identical_scenarios_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", AZ_OAI, AZ_OAI, "--as-of", DAY)
    assert code == 0
    assert "The two scenarios have the same inputs." in out
    assert "(+$0.00)" in out and "(-$" not in out


def test_dashboard_link_with_a_bad_path_keeps_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    link = (
        "http://localhost:8501/?paths=openai:gpt-4.1-mini:ft@standard,nonsense,azure:gpt-4.1-mini:ft@standard"
        "&requests_per_day=20000&input_tokens=600&output_tokens=300&training_tokens=2000000&epochs=3"
        "&few_shot_tokens=0&as_of=2025-06-02"
    )
    code, out, err = run(capsys, "diff", AZ_OAI, link, "--json")
    assert code == 0
    assert "link path 'nonsense' was dropped" in err
    data = json.loads(out)
    assert [p["status"] for p in data["paths"]] == ["both", "both"]
    # Same traffic and prices: no cost delta on either path.
    assert all(p["monthly"]["delta"] == "0.00" for p in data["paths"])


def test_path_without_a_price_is_named_not_hidden() -> None:
    # gpt-4.1-mini had no fine-tuning price in January 2024: that path has no figure on that side, with the reason.
    a = load_scenario(Path(AZ_OAI)).model_copy(update={"as_of": date(2024, 1, 15)})
    d = diff_scenarios(bundled_catalog(), a, load_scenario(Path(AZ_OAI)), as_of=date(2025, 6, 2))
    p = d.paths[0]
    assert p.monthly_a is None and p.monthly_b is not None and round(p.monthly_b, 2) == Decimal("876.00")
    assert p.monthly_delta is None
    assert p.problem_a and "2024-01-15" in p.problem_a
    assert p.problem_a in to_markdown(d)


def test_bad_sources_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "diff", str(tmp_path / "missing.yaml"), AZ_OAI)
    assert code == 2 and "file not found" in err
    code, _, err = run(capsys, "diff", "http://localhost:8501/?page=prices", AZ_OAI)
    assert code == 2 and "no scenario inputs" in err


def test_a_scenario_against_itself_has_no_delta_anywhere() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    base = load_scenario(Path(FT_FS))
    catalog = bundled_catalog()

    @settings(max_examples=15, deadline=None)
    @given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=4000))
    def check(requests: int, few_shot: int) -> None:
        traffic = base.traffic.model_copy(update={"requests_per_day": Decimal(requests), "few_shot_tokens": few_shot})
        s = base.model_copy(update={"traffic": traffic})
        d = diff_scenarios(catalog, s, s, as_of=date(2025, 6, 2))
        assert d.identical
        assert all(p.monthly_delta == 0 and p.horizon_delta == 0 for p in d.paths)
        assert all(li.delta == 0 for p in d.paths for li in p.lines)

    check()
