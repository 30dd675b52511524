"""Dataset analysis: exact counts against the independent reference, checks, statistics."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from costmodel.dataset import CODES, DatasetAnalysis, _reader, analyze_bytes, analyze_file
from costmodel.dataset import _analyze as analyze_mod
from costmodel.errors import DatasetError, InputError, UnknownModelError
from tests.cookbook_reference import assistant_tokens, chat_tokens, dpo_tokens, reference_encoding

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "recipes.jsonl"
PROBLEMS = ROOT / "data" / "sample" / "recipes_with_problems.jsonl"


class WordEncoder:
    name = "words"

    def encode_ordinary(self, text: str) -> list[int]:
        return [0] * len(text.split())


def jsonl(examples: list[Any]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples).encode()


def chat(user: str = "hi", answer: str = "hello", **extra: Any) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": "sys"},
            {"role": "user", "content": user},
            {"role": "assistant", "content": answer},
        ],
        **extra,
    }


def clean(n: int = 10) -> list[dict[str, Any]]:
    return [chat(user=f"question {i}") for i in range(n)]


def codes(a: DatasetAnalysis) -> dict[str, int]:
    return a.problem_counts


def generated(seed: int, n: int) -> list[dict[str, Any]]:
    """Chat examples with names, tools, tool calls, weights and several turns."""
    rng = random.Random(seed)
    words = [
        "salt",
        "pepper",
        "simmer",
        "roast",
        "whisk",
        "fold",
        "knead",
        "braise",
        "ñoquis",
        "crème",
        "brûlée",
        "150",
        "g",
        "2",
        "tbsp",
        "🍋",
        "—",
        "«»",
    ]
    out = []
    for i in range(n):
        msgs: list[dict[str, Any]] = [{"role": "system", "content": "You are a chef. " * rng.randint(1, 3)}]
        for _turn in range(rng.randint(1, 3)):
            user: dict[str, Any] = {"role": "user", "content": " ".join(rng.choices(words, k=rng.randint(1, 30)))}
            if rng.random() < 0.3:
                user["name"] = rng.choice(["ann", "bo_b", "chef-42"])
            msgs.append(user)
            if rng.random() < 0.3:
                cid = f"call_{i}_{_turn}"
                args = json.dumps({"dish": rng.choice(words), "servings": rng.randint(1, 8)}, ensure_ascii=False)
                msgs.append(
                    {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {"id": cid, "type": "function", "function": {"name": "find", "arguments": args}}
                        ],
                    }
                )
                msgs.append({"role": "tool", "tool_call_id": cid, "content": json.dumps({"found": True})})
            answer: dict[str, Any] = {
                "role": "assistant",
                "content": " ".join(rng.choices(words, k=rng.randint(1, 60))),
            }
            if rng.random() < 0.3:
                answer["weight"] = rng.choice([0, 1])
            msgs.append(answer)
        msgs[-1]["weight"] = 1
        ex: dict[str, Any] = {"messages": msgs}
        if rng.random() < 0.4:
            ex["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": "find",
                        "description": "Find a recipe",
                        "parameters": {"type": "object", "properties": {"dish": {"type": "string"}}},
                    },
                }
            ]
            ex["parallel_tool_calls"] = rng.random() < 0.5
        out.append(ex)
    return out


# -- exact counts --------------------------------------------------------------------------------


def test_sample_dataset_counts_equal_reference() -> None:
    a = analyze_file(SAMPLE, model="gpt-4o-mini")
    enc = reference_encoding("o200k_base")
    examples = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    expected = [chat_tokens(enc, e) for e in examples]
    assert a.per_example_tokens == tuple(expected)
    assert a.billed_tokens == sum(expected)
    assert a.examples == len(examples) >= 200
    assert a.encoding == "o200k_base"
    assert a.problem_counts == {}
    assert not a.token_counts_are_estimates
    assert a.stats.assistant_tokens_per_example is not None
    assert a.stats.assistant_tokens_per_example.max == max(assistant_tokens(enc, e) for e in examples)


@pytest.mark.parametrize(("model", "encoding"), [("gpt-4.1-mini", "o200k_base"), ("gpt-3.5-turbo", "cl100k_base")])
def test_generated_dataset_counts_equal_reference(model: str, encoding: str) -> None:
    examples = generated(seed=7, n=120)
    a = analyze_bytes(jsonl(examples), model=model)
    enc = reference_encoding(encoding)
    assert a.encoding == encoding
    assert list(a.per_example_tokens) == [chat_tokens(enc, e) for e in examples]
    assert a.stats.assistant_tokens_per_example is not None
    assert a.stats.assistant_tokens_per_example.max == max(assistant_tokens(enc, e) for e in examples)
    assert a.token_counts_are_estimates  # tools and tool calls have no published formula
    assert not a.has_errors, a.problems[:3]


def test_dpo_dataset_counts_equal_reference() -> None:
    examples = [
        {
            "input": {"messages": [{"role": "user", "content": f"Name a {w} herb"}]},
            "preferred_output": [{"role": "assistant", "content": f"Basil goes with {w} dishes."}],
            "non_preferred_output": [{"role": "assistant", "content": "Salt."}],
        }
        for w in ["summer", "winter", "Thai", "Greek", "spicy", "mild", "fresh", "dried", "sweet", "sour", "rich"]
    ]
    a = analyze_bytes(jsonl(examples), model="gpt-4.1")
    enc = reference_encoding("o200k_base")
    assert a.format == "dpo"
    assert list(a.per_example_tokens) == [dpo_tokens(enc, e) for e in examples]
    assert a.token_counts_are_estimates
    assert a.problem_counts == {}


@pytest.mark.slow  # starts the analyzer's worker processes
def test_two_workers_give_the_same_result_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    data = jsonl(generated(seed=3, n=400)) + b"[1]\n\n" + jsonl(generated(seed=3, n=5))
    one = analyze_bytes(data, model="gpt-4o", workers=1)
    monkeypatch.setattr(_reader, "DEFAULT_CHUNK_BYTES", 20_000)  # many chunks
    monkeypatch.setattr(analyze_mod, "IN_PROCESS_MAX_BYTES", 0)  # force the process pool
    monkeypatch.setattr(analyze_mod, "FORK_IN_PROCESS_MAX_BYTES", 0)
    seen: list[tuple[int, int]] = []
    two = analyze_bytes(data, model="gpt-4o", workers=2, progress=lambda d, t: seen.append((d, t)))
    assert two == one
    assert len(seen) > 5
    assert seen[-1] == (len(data), len(data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert two.problem_counts["duplicate_example"] == 5  # the last 5 repeat the first 5


# -- billing rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "epochs"),
    # prices.md §8 (cookbook heuristic): 10 -> 10, 5 -> 20; 32 -> 100 // 32 = 3. The analyzer takes the
    # count of examples to engine.training.default_epochs, whose upper bound (3 x 8,334 > 25,000 -> 2) is
    # tested directly in test_training.py without building 8,334-example files here.
    [(10, 10), (5, 20), (33, 3), (32, 3), (100, 3)],
)
def test_default_epochs(n: int, epochs: int) -> None:
    a = analyze_bytes(jsonl(clean(n)), model="gpt-4o-mini", encoder=WordEncoder())
    assert a.n_epochs == epochs
    assert a.epochs_source == "default_heuristic"
    assert a.trained_tokens == a.billed_tokens * epochs


def test_user_epochs_override() -> None:
    a = analyze_bytes(jsonl(clean(12)), model="gpt-4o-mini", epochs=2, encoder=WordEncoder())
    assert (a.n_epochs, a.epochs_source, a.trained_tokens) == (2, "user", 2 * a.billed_tokens)


def test_examples_over_context_are_billed_at_the_cap() -> None:
    # WordEncoder: chat(answer=k words) = 3+1+1 (system) + 3+1+2 ("question i") + 3+1+k + 3 = 18 + k
    examples = [chat(user=f"question {i}", answer=" ".join(["w"] * (10 * i + 1))) for i in range(10)]
    a = analyze_bytes(jsonl(examples), model="gpt-4o-mini", training_context_tokens=50, encoder=WordEncoder())
    per = [18 + 10 * i + 1 for i in range(10)]  # 19, 29, 39, 49, 59, ...
    assert list(a.per_example_tokens) == per
    assert a.examples_over_context == 6
    assert a.billed_tokens == sum(min(50, t) for t in per)
    assert codes(a)["example_too_long"] == 6
    lines = [p.line for p in a.problems if p.code == "example_too_long"]
    assert lines == [5, 6, 7, 8, 9, 10]


def test_registry_training_context_and_provider_choice() -> None:
    a = analyze_bytes(jsonl(clean()), model="gpt-3.5-turbo", encoder=WordEncoder())
    assert a.training_context_tokens == 16385  # OpenAI guide: gpt-3.5-turbo-0125 trains on 16,385
    b = analyze_bytes(jsonl(clean()), model="gpt-35-turbo", provider="azure", encoder=WordEncoder())
    assert b.training_context_tokens == 4096  # data/models.csv: Azure gpt-35-turbo 4K


def test_statistics_are_true_percentiles() -> None:
    # answers of 1..20 words -> totals 19..38 (see above); hand-computed linear-interpolation
    # percentiles of 19..38: p5 = 19 + 0.05*19 = 19.95, p95 = 19 + 0.95*19 = 37.05, median 28.5
    examples = [chat(user=f"question {i}", answer=" ".join(["w"] * (i + 1))) for i in range(20)]
    a = analyze_bytes(jsonl(examples), model="gpt-4o-mini", encoder=WordEncoder())
    d = a.stats.total_tokens_per_example
    assert d is not None
    assert (d.min, d.max, d.mean, d.median) == (19, 38, 28.5, 28.5)
    assert d.p5 == pytest.approx(19.95)
    assert d.p95 == pytest.approx(37.05)
    # the cookbook's mislabelled "p5/p95" were the 10th/90th percentiles: 20.9 and 36.1
    assert d.p5 != pytest.approx(20.9)
    m = a.stats.messages_per_example
    assert m is not None and (m.min, m.max) == (3, 3)


def test_few_shot_tokens() -> None:
    examples = [chat(user=f"question {i}", answer=" ".join(["w"] * (i + 1))) for i in range(20)]
    a = analyze_bytes(jsonl(examples), model="gpt-4o-mini", encoder=WordEncoder())
    # mean 28.5 tokens: 3 shots = 85.5 -> 86 (half up), 2 shots = 57
    assert a.few_shot_tokens(3) == 86
    assert a.few_shot_tokens(2) == 57
    assert a.few_shot_tokens(0) == 0
    with pytest.raises(InputError):
        a.few_shot_tokens(-1)


# -- checks ---------------------------------------------------------------------------------------


def test_clean_file_has_no_problems() -> None:
    a = analyze_bytes(jsonl(clean()), model="gpt-4o-mini", encoder=WordEncoder())
    assert a.problem_counts == {} and not a.has_errors and a.is_usable


def test_problem_file_in_data_sample() -> None:
    a = analyze_file(PROBLEMS, model="gpt-4o-mini")
    assert a.has_errors
    found = {(p.line, p.code) for p in a.problems}
    assert {
        (5, "invalid_json"),
        (6, "missing_role"),
        (7, "no_assistant_message"),
        (8, "duplicate_example"),
        (9, "blank_line"),
        (10, "all_weights_zero"),
        (11, "invalid_type"),
    } <= found


CASES: list[tuple[str, Any, set[tuple[str, str | None]]]] = [
    # (name, line object, expected (code, field) pairs)
    ("array", [1, 2], {("not_an_object", None)}),
    ("string", "hello", {("not_an_object", None)}),
    ("no messages", {"foo": 1}, {("missing_messages", "messages")}),
    ("empty messages", {"messages": []}, {("missing_messages", "messages")}),
    ("legacy", {"prompt": "a", "completion": "b"}, {("unsupported_format", None)}),
    (
        "no role",
        {"messages": [{"content": "x"}, {"role": "assistant", "content": "y"}]},
        {("missing_role", "messages[0].role")},
    ),
    (
        "number content",
        {"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "y"}]},
        {("invalid_type", "messages[0].content")},
    ),
    (
        "number role",
        {"messages": [{"role": 1, "content": "x"}, {"role": "assistant", "content": "y"}]},
        {("invalid_type", "messages[0].role")},
    ),
    (
        "bad role",
        {"messages": [{"role": "robot", "content": "x"}, {"role": "assistant", "content": "y"}]},
        {("unrecognized_role", "messages[0].role")},
    ),
    (
        "extra key",
        {"messages": [{"role": "user", "content": "x", "mood": "happy"}, {"role": "assistant", "content": "y"}]},
        {("unrecognized_key", "messages[0].mood")},
    ),
    (
        "empty content",
        {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "y"}]},
        {("missing_content", "messages[0].content")},
    ),
    ("no assistant", {"messages": [{"role": "user", "content": "x"}]}, {("no_assistant_message", "messages")}),
    (
        "weight 0 only",
        {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 0}]},
        {("all_weights_zero", "messages")},
    ),
    (
        "weight 2",
        {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y", "weight": 2}]},
        {("invalid_weight", "messages[1].weight")},
    ),
    (
        "weight on user",
        {"messages": [{"role": "user", "content": "x", "weight": 1}, {"role": "assistant", "content": "y"}]},
        {("invalid_weight", "messages[0].weight")},
    ),
    (
        "tool call arguments object",
        {
            "messages": [
                {"role": "user", "content": "x"},
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "1", "type": "function", "function": {"name": "f", "arguments": {}}}],
                },
            ]
        },
        {("invalid_tool_call", "messages[1].tool_calls[0].function.arguments")},
    ),
    (
        "tool without id",
        {
            "messages": [
                {"role": "user", "content": "x"},
                {"role": "tool", "content": "r"},
                {"role": "assistant", "content": "y"},
            ]
        },
        {("missing_tool_call_id", "messages[1].tool_call_id")},
    ),
    (
        "tools not list",
        {"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}], "tools": {"a": 1}},
        {("invalid_tools", "tools")},
    ),
    (
        "parallel not bool",
        {
            "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}],
            "parallel_tool_calls": "yes",
        },
        {("invalid_type", "parallel_tool_calls")},
    ),
    (
        "dpo output missing",
        {"input": {"messages": [{"role": "user", "content": "x"}]}, "preferred_output": []},
        {("invalid_dpo_output", "preferred_output"), ("invalid_dpo_output", "non_preferred_output")},
    ),
    (
        "dpo output user role",
        {
            "input": {"messages": [{"role": "user", "content": "x"}]},
            "preferred_output": [{"role": "user", "content": "y"}],
            "non_preferred_output": [{"role": "assistant", "content": "z"}],
        },
        {("unrecognized_role", "preferred_output[0].role"), ("invalid_dpo_output", "preferred_output")},
    ),
]


@pytest.mark.parametrize(("name", "obj", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_check(name: str, obj: Any, expected: set[tuple[str, str | None]]) -> None:
    data = jsonl([*clean(), obj])
    a = analyze_bytes(data, model="gpt-4o-mini", encoder=WordEncoder())
    found = {(p.code, p.field) for p in a.problems if p.line == 11}
    assert expected <= found, found
    for p in a.problems:
        assert (p.severity, p.hint) == CODES[p.code]


def test_valid_tool_calling_example_is_clean() -> None:
    """The cookbook flagged these (content null with a call, tool role, tools): we must not."""
    ex = {
        "messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "w", "arguments": '{"c": 1}'}}],
            },
            {"role": "tool", "tool_call_id": "c", "content": "sunny"},
            {"role": "assistant", "content": "Sunny.", "weight": 1},
        ],
        "tools": [{"type": "function", "function": {"name": "w", "parameters": {}}}],
        "parallel_tool_calls": True,
    }
    a = analyze_bytes(jsonl([*clean(), ex]), model="gpt-4o-mini", encoder=WordEncoder())
    assert a.problem_counts == {}


def test_format_mismatch() -> None:
    dpo = {
        "input": {"messages": [{"role": "user", "content": "x"}]},
        "preferred_output": [{"role": "assistant", "content": "y"}],
        "non_preferred_output": [{"role": "assistant", "content": "z"}],
    }
    a = analyze_bytes(jsonl([*clean(), dpo]), model="gpt-4o-mini", encoder=WordEncoder())
    assert a.format == "chat"
    assert [(p.line, p.code) for p in a.problems] == [(11, "format_mismatch")]


def test_duplicates_name_the_first_line() -> None:
    ex = clean()
    a = analyze_bytes(jsonl([*ex, ex[3], ex[3], ex[0]]), model="gpt-4o-mini", encoder=WordEncoder())
    dups = [(p.line, p.message) for p in a.problems if p.code == "duplicate_example"]
    assert dups == [(11, "same example as line 4"), (12, "same example as line 4"), (13, "same example as line 1")]


def test_too_few_examples_and_unknown_format() -> None:
    a = analyze_bytes(jsonl(clean(9)), model="gpt-4o-mini", encoder=WordEncoder())
    assert codes(a) == {"too_few_examples": 1} and a.has_errors and a.is_usable
    b = analyze_bytes(jsonl([{"prompt": "a", "completion": "b"}] * 3), model="gpt-4o-mini", encoder=WordEncoder())
    assert b.format == "unknown" and not b.is_usable
    assert "chat" in next(p.message for p in b.problems if p.line is None)


def test_file_too_large_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyze_mod, "FILE_SIZE_LIMIT_BYTES", 100)
    a = analyze_bytes(jsonl(clean()), model="gpt-4o-mini", encoder=WordEncoder())
    assert codes(a) == {"file_too_large": 1}


def test_problem_details_are_capped_but_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    from costmodel.dataset import _lines

    monkeypatch.setattr(_lines, "MAX_DETAILS_PER_CODE", 3)
    monkeypatch.setattr(analyze_mod, "MAX_DETAILS_PER_CODE", 3)
    a = analyze_bytes(jsonl(clean()) + b"\n" * 10, model="gpt-4o-mini", encoder=WordEncoder())
    assert codes(a)["blank_line"] == 10
    assert sum(p.code == "blank_line" for p in a.problems) == 3
    assert a.problems_omitted == 7


def test_unreadable_inputs_raise_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="file not found"):
        analyze_file(tmp_path / "nope.jsonl", model="gpt-4o-mini")
    with pytest.raises(DatasetError, match="directory"):
        analyze_file(tmp_path, model="gpt-4o-mini")
    with pytest.raises(UnknownModelError):
        analyze_bytes(b"", model="no-such-model")
    with pytest.raises(InputError, match="epochs"):
        analyze_bytes(b"", model="gpt-4o-mini", epochs=0)


# -- the reader -------------------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_reader_reassembles_lines(chunk: int) -> None:
    import io

    data = b"a\nbb\n\nccc\r\nlast-without-newline"
    parts = list(_reader.iter_chunks(io.BytesIO(data).read, chunk_bytes=chunk, max_line_bytes=1000))
    joined = b"".join(p.data for p in parts if isinstance(p, _reader.Chunk))
    assert joined == data
    firsts = [(p.first_line, p.data.count(b"\n")) for p in parts if isinstance(p, _reader.Chunk)]
    line = 1
    for first, n in firsts:
        assert first == line
        line += n
    assert parts[-1].end_offset == len(data)


def test_reader_skips_oversized_lines_with_bounded_memory() -> None:
    import io

    data = b"ok\n" + b"x" * 100 + b"\nafter\n" + b"y" * 50
    parts = list(_reader.iter_chunks(io.BytesIO(data).read, chunk_bytes=8, max_line_bytes=20))
    big = [p for p in parts if isinstance(p, _reader.OversizedLine)]
    assert [(p.line, p.size) for p in big] == [(2, 100), (4, 50)]
    text = b"".join(p.data for p in parts if isinstance(p, _reader.Chunk))
    assert text == b"ok\nafter\n"
    assert all(len(p.data) <= 8 + 20 for p in parts if isinstance(p, _reader.Chunk))


def test_no_numpy_types_leak_into_the_result() -> None:
    a = analyze_bytes(jsonl(clean()), model="gpt-4o-mini", encoder=WordEncoder())
    assert all(type(t) is int for t in a.per_example_tokens)
    d = a.stats.total_tokens_per_example
    assert d is not None and type(d.min) is int and type(d.p5) is float
    assert not isinstance(a.billed_tokens, np.integer)
    json.loads(a.model_dump_json())


# -- training cost through the engine -------------------------------------------------------------------


def test_training_costs_per_provider_and_tier() -> None:
    from datetime import date
    from decimal import Decimal

    from costmodel.dataset import training_costs
    from costmodel.prices import bundled_catalog

    a = analyze_bytes(jsonl(clean(40)), model="gpt-4o-mini", encoder=WordEncoder())
    # WordEncoder: each example is 3+1+1 + 3+1+2 + 3+1+1 + 3 = 19 tokens -> 760 billed; 40 examples -> 3 epochs
    assert (a.billed_tokens, a.n_epochs) == (760, 3)
    costs = training_costs(a, bundled_catalog(), date(2025, 6, 1))
    by = {(p, t): b for p, t, b in costs}
    # data/prices.csv line 64: gpt-4o-mini-2024-07-18 training, OpenAI standard, $3.00 per 1M tokens
    assert by[("openai", "standard")].total == Decimal("3.00") * 760 * 3 / 1_000_000
    assert ("openai", "batch") not in by  # no training price on the batch tier
    assert all(b.items for b in by.values())


def test_training_costs_follow_the_date() -> None:
    from datetime import date

    from costmodel.dataset import training_costs
    from costmodel.prices import bundled_catalog

    a = analyze_bytes(jsonl(clean(40)), model="gpt-35-turbo", provider="azure", encoder=WordEncoder())
    cat = bundled_catalog()
    # data/prices.csv lines 173-174: Azure gpt-35-turbo per compute hour until 2024-07-01, then $8.00 per 1M
    early = {(p, t): b for p, t, b in training_costs(a, cat, date(2024, 3, 1))}
    late = {(p, t): b for p, t, b in training_costs(a, cat, date(2024, 9, 1))}
    assert early[("azure", "standard")].items[0].quantity_unit == "hours"
    assert late[("azure", "standard")].items[0].quantity_unit == "1M tokens"
    assert training_costs(a.model_copy(update={"examples": 0}), cat, date(2024, 9, 1)) == []


def test_model_choice_prefers_a_fine_tunable_entry() -> None:
    # data/models.csv: OpenAI gpt-4 is not fine-tunable, Azure gpt-4 is (8,192-token training context)
    a = analyze_bytes(jsonl(clean()), model="gpt-4", encoder=WordEncoder())
    assert a.training_context_tokens == 8192
    assert a.problem_counts == {}
    b = analyze_bytes(jsonl(clean()), model="gpt-5", encoder=WordEncoder())
    assert set(b.problem_counts) == {"model_not_fine_tunable", "unknown_training_context"}
    assert not b.has_errors


def test_chat_file_for_a_completion_model_is_an_error() -> None:
    a = analyze_bytes(jsonl(clean()), model="davinci-002", encoder=WordEncoder())
    assert a.problem_counts == {"unsupported_format": 1}
    assert "prompt/completion" in a.problems[0].message


def test_sample_files_are_reproducible_from_the_script() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_dataset", ROOT / "scripts" / "make_sample_dataset.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    files = module.render()
    assert files[SAMPLE] == SAMPLE.read_text(encoding="utf-8")
    assert files[PROBLEMS] == PROBLEMS.read_text(encoding="utf-8")
    examples = [json.loads(line) for line in files[SAMPLE].splitlines()]
    assert len(examples) == 300
    assert sum(len(e["messages"]) > 3 for e in examples) >= 15  # some multi-turn conversations
    assert len({e["messages"][1]["content"] for e in examples}) > 150  # varied user requests


def test_training_costs_use_each_providers_training_context() -> None:
    from datetime import date
    from decimal import Decimal

    from costmodel.dataset import training_costs
    from costmodel.prices import bundled_catalog

    # 10 short examples (19 tokens) + 2 of 18 + 5,000 = 5,018 tokens (WordEncoder: one per word)
    long = [chat(user=f"long {i}", answer=" ".join(["w"] * 5_000)) for i in range(2)]
    a = analyze_bytes(jsonl([*clean(), *long]), model="gpt-3.5-turbo", encoder=WordEncoder())
    assert a.training_context_tokens == 16385 and a.training_context_source == "registry"
    assert a.billed_tokens == 10 * 19 + 2 * 5018  # under OpenAI's 16,385: nothing cut
    assert a.billed_tokens_at(4096) == 10 * 19 + 2 * 4096
    by = {(p, t): b for p, t, b in training_costs(a, bundled_catalog(), date(2024, 9, 1))}
    # Azure gpt-35-turbo trains on 4,096 tokens (data/models.csv): $8.00 per 1M (data/prices.csv line 173)
    azure = by[("azure", "standard")]
    assert azure.total == Decimal("8.00") * (10 * 19 + 2 * 4096) * a.n_epochs / 1_000_000
    assert f"{a.billed_tokens:,} billed" in by[("openai", "standard")].items[0].name
    # a context the user gives applies everywhere
    b = analyze_bytes(
        jsonl([*clean(), *long]), model="gpt-3.5-turbo", training_context_tokens=1000, encoder=WordEncoder()
    )
    assert b.training_context_source == "user"
    items = [bd.items[0].name for _, _, bd in training_costs(b, bundled_catalog(), date(2024, 9, 1))]
    assert items and all(f"{b.billed_tokens:,} billed" in n for n in items)


def test_positions_in_messages_count_from_the_raw_line() -> None:
    data = jsonl(clean()) + b'  {"messages": [}\n' + b"  \xff\n"
    a = analyze_bytes(data, model="gpt-4o-mini", encoder=WordEncoder())
    msgs = {p.code: p.message for p in a.problems}
    assert "(column 17)" in msgs["invalid_json"]  # the '}' is the 17th character of the line
    assert "0xff at byte 3" in msgs["invalid_utf8"]
