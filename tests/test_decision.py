"""Readiness check and the one-sentence recommendation, on the hand-written mini catalogue.

Hand computation (prices from tests/conftest.py, 2024-01-15; 730 hours a month; 1,000 requests a
day = 1000 x 730 / 24 = 30,416.67 requests a month; 500 input + 500 output tokens per request):

* openai:gpt-3.5-turbo:ft at $3 / $6 per 1M: 0.0015 + 0.0030 = $0.0045 a request -> $136.875 a month.
  Training 100,000 tokens x 3 epochs x $8 / 1M = $2.40.
* azure:gpt-35-turbo:ft@standard at $1.50 / $2.00 per 1M: $0.00175 a request, plus hosting $7/h
  (unconfirmed). Break-even with OpenAI: 7 / (0.0045 - 0.00175) = 2,545.45 requests an hour
  = 61,090.9 requests a day = 2,545,454.5 tokens an hour (1,000 tokens a request).
* openai:gpt-4:base at $30 / $60 per 1M with 1,000 few-shot tokens: 1,500 x 30 / 1e6 + 500 x 60 / 1e6
  = $0.075 a request -> $2,281.25 a month. Payback of the OpenAI fine-tune: saving per hour
  (1000 / 24) x (0.075 - 0.0045) = $2.9375; 2.40 / 2.9375 = 0.817 hours.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from costmodel.engine.scenario import ScenarioResult, evaluate, scenario_from_mapping
from costmodel.present.decision import QUESTIONS, assess, describe_duration, describe_path, format_tokens, recommend
from costmodel.prices import Catalog

DAY = date(2024, 1, 15)
OAI_FT = "openai:gpt-3.5-turbo:ft@standard"
AZ_FT = "azure:gpt-35-turbo:ft@standard"
GPT4 = "openai:gpt-4:base@standard"


def result_for(catalog: Catalog, paths: list[str], requests_per_day: int) -> ScenarioResult:
    scenario = scenario_from_mapping(
        {
            "as_of": DAY,
            "paths": paths,
            "traffic": {
                "requests_per_day": requests_per_day,
                "input_tokens_per_request": 500,
                "output_tokens_per_request": 500,
                "few_shot_tokens": 1000,
            },
            "training": {"tokens": 100_000, "epochs": 3},
            "horizon_months": 12,
        }
    )
    return evaluate(catalog, scenario, as_of=DAY)


ALL_GOOD = {"q_prompting": "yes", "q_examples": "yes", "q_user_data": "no", "q_fresh": "no", "q_general": "no"}


def test_good_answers_raise_no_warning() -> None:
    r = assess(ALL_GOOD)
    assert r.warnings == ()
    assert not r.blocked


@pytest.mark.parametrize(
    ("key", "answer", "severity", "words"),
    [
        ("q_prompting", "no", "blocker", "prompt engineering first"),
        ("q_examples", "no", "blocker", "50 to 100"),
        ("q_user_data", "yes", "caution", "data-processing agreement"),
        ("q_fresh", "yes", "caution", "retrieval (RAG)"),
        ("q_general", "yes", "caution", "specialist"),
        ("q_prompting", "unsure", "caution", "really falls short"),
    ],
)
def test_each_bad_answer_gives_its_warning(key: str, answer: str, severity: str, words: str) -> None:
    r = assess({**ALL_GOOD, key: answer})
    assert len(r.warnings) == 1
    w = r.warnings[0]
    assert (w.key, w.severity) == (key, severity)
    assert words in w.text
    assert w.source.startswith("https://")


def test_missing_answers_count_as_unsure() -> None:
    r = assess({})
    assert len(r.warnings) == len(QUESTIONS)
    assert all(w.severity == "caution" for w in r.warnings)


def test_recommendation_sentence_matches_hand_computation(mini_catalog: Catalog) -> None:
    result = result_for(mini_catalog, [OAI_FT, AZ_FT, GPT4], 1000)
    rec = recommend(result, assess(ALL_GOOD))
    assert rec.path.label == OAI_FT
    assert rec.monthly.quantize(Decimal("0.000001")) == Decimal("136.875000")  # hand computation above
    assert rec.one_off == Decimal("2.40")
    assert rec.sentence.startswith(
        "Take fine-tuned gpt-3.5-turbo on OpenAI: $136.88 a month plus $2.40 of training once, "
        "the lowest total over 12 months; "
    )
    # payback 2.40 / 2.9375 = 0.817 hours
    assert (
        "fine-tuning pays back its training after 49 minutes against gpt-4 base with a few-shot prompt" in rec.sentence
    )
    # break-even with Azure: 2,545,454.5 tokens an hour, 61,090.9 requests a day
    assert (
        "Azure's fine-tuned gpt-35-turbo (standard) becomes cheaper than OpenAI's fine-tuned gpt-3.5-turbo "
        "above 2.5M tokens an hour (about 61,091 requests a day)"
    ) in rec.sentence
    # Azure's 2023 hosting fee is unconfirmed, and the sentence says so
    assert rec.unconfirmed
    assert rec.sentence.endswith("This rests on at least one unconfirmed price.")


def test_never_pays_back_is_said_in_words(mini_catalog: Catalog) -> None:
    # 10 requests a day: saving (10/24) x (0.075 - 0.00175) = $0.0305 an hour, below Azure's $7/h hosting
    result = result_for(mini_catalog, [AZ_FT, GPT4], 10)
    rec = recommend(result, assess(ALL_GOOD))
    assert rec.path.label == GPT4
    assert rec.monthly.quantize(Decimal("0.000001")) == Decimal("22.812500")  # 10 x 730 / 24 x 0.075
    assert rec.payback is not None and rec.payback.status == "never_cheaper"
    assert "fine-tuning never pays back at this traffic against gpt-4 base" in rec.sentence
    assert "no OpenAI-against-Azure pair" in rec.sentence


def test_blocker_keeps_a_base_path_and_says_why(mini_catalog: Catalog) -> None:
    result = result_for(mini_catalog, [OAI_FT, GPT4], 1000)
    rec = recommend(result, assess({**ALL_GOOD, "q_prompting": "no"}))
    assert rec.path.label == GPT4
    assert not rec.fine_tuned
    assert rec.held_back_by and rec.held_back_by[0].key == "q_prompting"
    assert rec.sentence.startswith("Stay with gpt-4 base with a few-shot prompt on OpenAI for now")
    assert "readiness check says: try prompt engineering first" in rec.sentence


def test_blocker_without_a_base_path_still_names_the_cheapest(mini_catalog: Catalog) -> None:
    result = result_for(mini_catalog, [OAI_FT, AZ_FT], 1000)
    rec = recommend(result, assess({**ALL_GOOD, "q_examples": "no"}))
    assert rec.path.label == OAI_FT
    assert "add a base path to see when fine-tuning pays back" in rec.sentence


def test_above_the_crossing_azure_is_recommended(mini_catalog: Catalog) -> None:
    # 200,000 requests a day is far above the 61,091 of the crossing: Azure is the cheaper side.
    result = result_for(mini_catalog, [OAI_FT, AZ_FT], 200_000)
    rec = recommend(result, assess(ALL_GOOD))
    assert rec.path.label == AZ_FT  # above 61,091 requests a day Azure is cheaper
    assert "becomes cheaper than OpenAI's fine-tuned gpt-3.5-turbo above 2.5M tokens an hour" in rec.sentence


def test_wording_helpers() -> None:
    assert describe_path("azure:gpt-4.1-mini:ft@global") == "fine-tuned gpt-4.1-mini on Azure OpenAI (global)"
    assert describe_path("openai:gpt-4o:base@standard") == "gpt-4o base with a few-shot prompt on OpenAI"
    assert format_tokens(Decimal("2545454.5")) == "2.5M"
    assert format_tokens(Decimal(999)) == "999"
    # issue 13: human units at any scale (0.817 h x 60 = 49.02 minutes; 1,460 h / 730 = 2 months)
    assert describe_duration(Decimal("0.817"), Decimal(730)) == "49 minutes"
    assert describe_duration(Decimal(1460), Decimal(730)) == "2 months"
