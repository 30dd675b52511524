"""Property tests: random lines and bytes give only documented problems; random valid chats count exactly."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costmodel.dataset import CODES, analyze_bytes
from tests.cookbook_reference import chat_tokens, reference_encoding

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
roles = st.sampled_from(["system", "user", "assistant", "tool", "function", "robot", ""]) | json_values
message_keys = st.sampled_from(
    ["role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call", "mood"]
)
messages = st.lists(
    st.dictionaries(message_keys, st.one_of(roles, json_values, st.text(max_size=30)), max_size=5) | json_values,
    max_size=5,
)
examples = st.one_of(
    st.fixed_dictionaries({"messages": messages}, optional={"tools": json_values, "parallel_tool_calls": json_values}),
    st.fixed_dictionaries(
        {},
        optional={
            "input": st.fixed_dictionaries({"messages": messages}),
            "preferred_output": messages,
            "non_preferred_output": messages,
            "extra": json_values,
        },
    ),
    json_values,
)
line_bytes = st.one_of(
    examples.map(lambda e: json.dumps(e).encode()),
    st.binary(max_size=80),
    st.sampled_from([b"", b" ", b"\r", b"\xef\xbb\xbf", b"{", b'{"messages": [', b"null", b"\xff"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(line_bytes, max_size=25), st.sampled_from([b"\n", b"\r\n"]), st.booleans())
def test_random_input_gives_only_documented_problems(lines: list[bytes], eol: bytes, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + eol.join(lines)
    a = analyze_bytes(data, model="gpt-4o-mini")
    n_lines = a.lines
    for p in a.problems:
        assert p.code in CODES
        assert (p.severity, p.hint) == CODES[p.code]
        assert p.message
        assert p.line is None or 1 <= p.line <= n_lines
    assert sum(a.problem_counts.values()) == len(a.problems) + a.problems_omitted
    assert set(a.problem_counts) == {p.code for p in a.problems}
    assert len(a.per_example_tokens) == a.examples <= n_lines
    assert all(t >= 3 for t in a.per_example_tokens)  # at least the reply priming
    assert a.billed_tokens <= sum(a.per_example_tokens)
    assert a.trained_tokens == a.billed_tokens * a.n_epochs
    assert a.is_usable == (a.examples > 0)
    if a.examples == 0:
        assert a.has_errors
    json.loads(a.model_dump_json())


texts = st.text(st.characters(codec="utf-8"), max_size=60)
valid_messages = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant"]), "content": texts},
        optional={"name": st.from_regex(r"[a-z_]{1,8}", fullmatch=True)},
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(valid_messages, min_size=1, max_size=8))
def test_random_chats_count_like_the_reference(convs: list[list[dict[str, Any]]]) -> None:
    data = "".join(json.dumps({"messages": m}) + "\n" for m in convs).encode()
    a = analyze_bytes(data, model="gpt-4o-mini")
    enc = reference_encoding("o200k_base")
    assert list(a.per_example_tokens) == [chat_tokens(enc, {"messages": m}) for m in convs]
