"""Encodings load offline and verified; the chat convention counts what the cookbook counts."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import tiktoken_ext.openai_public as openai_public

from costmodel.dataset import tokens
from costmodel.dataset.tokens import (
    ENCODINGS,
    TokenCounter,
    count_chat_example,
    count_dpo_example,
    encoding_name_for_model,
    get_encoding,
    load_mergeable_ranks,
)
from costmodel.errors import UnknownModelError, VocabularyError
from tests.cookbook_reference import chat_tokens, dpo_tokens, reference_encoding


class WordEncoder:
    """Fake encoding: one token per whitespace-separated word (hand-countable)."""

    name = "words"

    def encode_ordinary(self, text: str) -> list[int]:
        return [0] * len(text.split())


def _tiktoken_spec(name: str) -> dict[str, Any]:
    """What tiktoken_ext.openai_public declares for ``name`` (its loader captured, not run)."""
    seen: dict[str, Any] = {}

    def capture(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen["url"], seen["hash"] = url, expected_hash
        return {}

    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = capture
    try:
        spec: dict[str, Any] = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return spec | seen


# -- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_bundled_vocabulary_matches_what_tiktoken_expects(name: str) -> None:
    spec = _tiktoken_spec(name)
    ours = ENCODINGS[name]
    assert ours.sha256 == spec["hash"]
    assert ours.pat_str == spec["pat_str"]
    assert dict(ours.special_tokens) == spec["special_tokens"]


@pytest.mark.parametrize(
    ("name", "text", "ids"),
    [
        # token ids printed by tiktoken 0.14 (tiktoken.get_encoding(name).encode(text)) on a machine
        # with the rank files cached; the same values appear in tiktoken's own test-suite for cl100k.
        ("cl100k_base", "hello world", [15339, 1917]),
        ("o200k_base", "hello world", [24912, 2375]),
    ],
)
def test_encoding_builds_offline_and_encodes_known_ids(
    name: str, text: str, ids: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tiktoken.load

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))

    def no_network(blobpath: str) -> bytes:
        raise AssertionError(f"tried to fetch {blobpath}")

    monkeypatch.setattr(tiktoken.load, "read_file", no_network)
    get_encoding.cache_clear()
    enc = get_encoding(name)
    assert enc.name == name
    assert enc.encode_ordinary(text) == ids
    assert list(tmp_path.iterdir()) == []  # nothing was downloaded into the cache


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_our_encoding_equals_tiktokens_own(name: str) -> None:
    ours = get_encoding(name)
    ref = reference_encoding(name)
    text = "Préchauffez le four à 200°C.\n\n1. Mix 250 g flour; <|endoftext|> 🍕  tabs\tand   spaces"
    assert ours.encode_ordinary(text) == ref.encode(text, disallowed_special=())
    assert ours.n_vocab == ref.n_vocab  # type: ignore[attr-defined]


def test_encoding_is_cached() -> None:
    assert get_encoding("cl100k_base") is get_encoding("cl100k_base")


def _vocab_dir_with(tmp_path: Path, name: str, content: bytes, *, raw: bool = False) -> Path:
    d = tmp_path / "vocab"
    d.mkdir(exist_ok=True)
    (d / ENCODINGS[name].filename).write_bytes(content if raw else gzip.compress(content))
    return d


def test_corrupted_vocabulary_names_file_and_expected_hash(tmp_path: Path) -> None:
    good = gzip.decompress((tokens.VOCAB_DIR / "cl100k_base.tiktoken.gz").read_bytes())
    bad = good.replace(b"IQ== 0", b"IQ== 9", 1)
    d = _vocab_dir_with(tmp_path, "cl100k_base", bad)
    with pytest.raises(VocabularyError) as err:
        load_mergeable_ranks("cl100k_base", vocab_dir=d)
    msg = str(err.value)
    assert "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7" in msg
    assert "cl100k_base.tiktoken.gz" in msg
    assert "corrupted" in msg


def test_vocabulary_that_is_not_gzip(tmp_path: Path) -> None:
    d = _vocab_dir_with(tmp_path, "o200k_base", b"not gzip at all", raw=True)
    with pytest.raises(VocabularyError, match="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"):
        load_mergeable_ranks("o200k_base", vocab_dir=d)


def test_missing_vocabulary(tmp_path: Path) -> None:
    with pytest.raises(VocabularyError, match="cannot read the o200k_base vocabulary"):
        load_mergeable_ranks("o200k_base", vocab_dir=tmp_path)


def test_get_encoding_raises_on_corrupted_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "vocab"
    shutil.copytree(tokens.VOCAB_DIR, d)
    data = bytearray(gzip.decompress((d / "cl100k_base.tiktoken.gz").read_bytes()))
    data[-2] ^= 1
    (d / "cl100k_base.tiktoken.gz").write_bytes(gzip.compress(bytes(data)))
    monkeypatch.setattr(tokens, "VOCAB_DIR", d)
    monkeypatch.setenv(tokens.VOCAB_CACHE_ENV, str(tmp_path / "empty-cache"))  # no parsed copy to fall back on
    get_encoding.cache_clear()
    try:
        with pytest.raises(VocabularyError, match="expected 223921b7"):
            get_encoding("cl100k_base")
    finally:
        get_encoding.cache_clear()


def test_unknown_encoding_name() -> None:
    with pytest.raises(VocabularyError, match="unknown encoding 'p50k_base'"):
        load_mergeable_ranks("p50k_base")


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        # families from the issue: o200k_base for gpt-4o, gpt-4.1 and o-series; cl100k_base for
        # gpt-3.5-turbo, gpt-4, babbage-002, davinci-002
        ("gpt-4o-2024-08-06", "o200k_base"),
        ("gpt-4o-mini", "o200k_base"),
        ("gpt-4.1-nano-2025-04-14", "o200k_base"),
        ("o4-mini-2025-04-16", "o200k_base"),
        ("o1", "o200k_base"),
        ("ft:gpt-4o-mini-2024-07-18:acme::9xyz", "o200k_base"),
        ("gpt-3.5-turbo-0125", "cl100k_base"),
        ("gpt-35-turbo", "cl100k_base"),
        ("gpt-4-0613", "cl100k_base"),
        ("babbage-002", "cl100k_base"),
        ("davinci-002", "cl100k_base"),
    ],
)
def test_encoding_by_model_family(model: str, encoding: str) -> None:
    assert encoding_name_for_model(model) == encoding


def test_unknown_model_family_is_an_error_not_a_default() -> None:
    with pytest.raises(UnknownModelError, match="no known tokenizer for model 'llama-3'"):
        encoding_name_for_model("llama-3")


# -- the convention, hand-counted with one token per word ---------------------------------------


def test_convention_by_hand() -> None:
    c = TokenCounter(WordEncoder())
    messages = [
        {"role": "system", "content": "You cook."},  # 3 + 1 (role) + 2 = 6
        {"role": "user", "content": "Soup please", "name": "ann"},  # 3 + 1 + 2 + 1 (name) + 1 = 8
        {"role": "assistant", "content": "Boil the leeks.", "weight": 1},  # 3 + 1 + 3 = 7 (weight skipped)
    ]
    got = count_chat_example(c, messages)
    assert got.total == 6 + 8 + 7 + 3  # + 3 reply priming = 24
    assert got.assistant == 3
    assert got.estimated is False


def test_tool_calls_and_tools_are_counted_as_json_and_flagged() -> None:
    c = TokenCounter(WordEncoder())
    call = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    messages = [
        {"role": "user", "content": "weather in Paris"},  # 3 + 1 + 3 = 7
        {"role": "assistant", "content": None, "tool_calls": call},  # 3 + 1 + 0 + 1 (JSON has no spaces) = 5
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"},  # 3 + 1 + 1 + 1 = 6
    ]
    tools = [{"type": "function", "function": {"name": "f", "description": "get the weather"}}]
    got = count_chat_example(c, messages, tools=tools)
    # tools JSON: '{"type":"function","function":{"name":"f","description":"get the weather"}}' -> 3 words
    assert got.total == 7 + 5 + 6 + 3 + 3
    assert got.assistant == 1
    assert got.estimated is True


def test_dpo_by_hand() -> None:
    c = TokenCounter(WordEncoder())
    got = count_dpo_example(
        c,
        [{"role": "user", "content": "a b"}],  # 3 + 1 + 2 = 6, + 3 priming
        [{"role": "assistant", "content": "good answer"}],  # 3 + 1 + 2 = 6
        [{"role": "assistant", "content": "bad"}],  # 3 + 1 + 1 = 5
    )
    assert got.total == 6 + 3 + 6 + 5
    assert got.assistant == 3
    assert got.estimated is True


def test_special_token_text_is_ordinary_text() -> None:
    c = TokenCounter(get_encoding("cl100k_base"))
    assert c.text("<|endoftext|>") > 1  # counted as text, not one special token, and no exception


def test_cache_does_not_change_counts() -> None:
    enc = get_encoding("o200k_base")
    c = TokenCounter(enc)
    c.CACHE_BUDGET_CHARS = 12  # type: ignore[misc]
    words = ["alpha beta", "gamma", "alpha beta", "delta epsilon zeta", "gamma"]
    assert [c.text(w) for w in words] == [len(enc.encode_ordinary(w)) for w in words]
    assert sum(len(k) for k in c._cache) <= 12


# -- against the independent reference built on tiktoken ----------------------------------------

EXAMPLES: list[dict[str, Any]] = [
    {
        "messages": [
            {"role": "system", "content": "You are a helpful sous-chef."},
            {"role": "user", "name": "bob", "content": "Give me a 3-step omelette."},
            {"role": "assistant", "content": "1. Beat 2 eggs.\n2. Cook in butter.\n3. Fold.", "weight": 0},
            {"role": "user", "content": "Vegan?"},
            {"role": "assistant", "content": "Use chickpea flour batter instead.", "weight": 1},
        ]
    },
    {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is in this dish?"}]},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "é"}'}}
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": '{"dish": "ratatouille"}'},
            {"role": "assistant", "content": "Ratatouille."},
        ],
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
        "parallel_tool_calls": False,
    },
    {
        "messages": [
            {"role": "user", "content": "call it"},
            {"role": "assistant", "content": None, "function_call": {"name": "f", "arguments": "{}"}},
            {"role": "function", "name": "f", "content": "42"},
            {"role": "assistant", "content": "It is 42."},
        ],
        "functions": [{"name": "f", "parameters": {}}],
    },
]


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
@pytest.mark.parametrize("example", EXAMPLES, ids=["weights-names", "tools", "functions"])
def test_chat_counts_equal_reference(encoding: str, example: dict[str, Any]) -> None:
    c = TokenCounter(get_encoding(encoding))
    got = count_chat_example(c, example["messages"], tools=example.get("tools"), functions=example.get("functions"))
    assert got.total == chat_tokens(reference_encoding(encoding), example)


def test_dpo_counts_equal_reference() -> None:
    example = {
        "input": {
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Best pasta shape?"}],
            "tools": [{"type": "function", "function": {"name": "x"}}],
        },
        "preferred_output": [{"role": "assistant", "content": "Rigatoni: ridges hold sauce."}],
        "non_preferred_output": [{"role": "assistant", "content": "All pasta is the same."}],
    }
    c = TokenCounter(get_encoding("o200k_base"))
    inp: Any = example["input"]
    got = count_dpo_example(
        c, inp["messages"], example["preferred_output"], example["non_preferred_output"], tools=inp["tools"]
    )  # type: ignore[arg-type]
    assert got.total == dpo_tokens(reference_encoding("o200k_base"), example)


def test_value_text_compact_json() -> None:
    assert tokens.value_text([1, {"a": "é"}]) == ('[1,{"a":"é"}]', True)
    assert json.loads(tokens.value_text({"k": [1, 2]})[0]) == {"k": [1, 2]}


def test_long_text_counts_the_same_through_the_compact_path() -> None:
    enc = get_encoding("o200k_base")
    c = TokenCounter(enc)
    c.LONG_TEXT_CHARS = 1_000  # type: ignore[misc]
    text = ("Simmer 20 min <|endoftext|> then réduire — 🍅 " * 200)[:5_000]
    assert len(text) > c.LONG_TEXT_CHARS
    assert c.text(text) == len(reference_encoding("o200k_base").encode(text, disallowed_special=()))


def test_docstring_examples_run() -> None:
    import doctest

    import costmodel.dataset

    for module in (tokens, costmodel.dataset):
        failed, _ = doctest.testmod(module)
        assert failed == 0, module.__name__


# --- the on-disk cache of parsed vocabularies -------------------------------------------------


@pytest.fixture(scope="module")
def cl100k_ranks() -> dict[bytes, int]:
    return load_mergeable_ranks("cl100k_base")


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = tokens.load_mergeable_ranks

    def counting(name: str, **kwargs: Any) -> dict[bytes, int]:
        parsed.append(name)
        return real(name, **kwargs)

    monkeypatch.setattr(tokens, "load_mergeable_ranks", counting)
    return parsed


def test_second_load_reads_the_cache_not_the_vocabulary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cl100k_ranks: dict[bytes, int]
) -> None:
    parsed = _count_parses(monkeypatch)
    first = tokens.cached_mergeable_ranks("cl100k_base", cache_dir=tmp_path)
    assert parsed == ["cl100k_base"]
    files = list(tmp_path.iterdir())
    assert [f.name for f in files] == ["cl100k_base-223921b76ee99bde.ranks"]  # no temporary file left behind
    # the bundled file is not read again: a missing bundle does not matter once the cache is valid
    monkeypatch.setattr(tokens, "VOCAB_DIR", tmp_path / "nowhere")
    second = tokens.cached_mergeable_ranks("cl100k_base", cache_dir=tmp_path)
    assert parsed == ["cl100k_base"]
    assert first == second == cl100k_ranks


def test_cache_directory_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tokens.VOCAB_CACHE_ENV, str(tmp_path))
    assert tokens.vocab_cache_dir() == tmp_path / "vocab"
    monkeypatch.delenv(tokens.VOCAB_CACHE_ENV)
    assert tokens.vocab_cache_dir().parts[-2:] == ("costmodel", "vocab")


def _corruptions(blob: bytes) -> dict[str, bytes]:
    header_end = blob.index(b"\n", len(b"costmodel-vocab-cache\n")) + 1
    flipped = bytearray(blob)
    flipped[-3] ^= 0x01  # one bit of one token
    header = json.loads(blob[len(b"costmodel-vocab-cache\n") : header_end - 1])
    other_vocab = {**header, "vocab_sha256": "0" * 64}
    return {
        "one bit flipped": bytes(flipped),
        "truncated": blob[: len(blob) // 2],
        "empty": b"",
        "not a cache": b"IQ== 0\n" * 10,
        "header only": blob[:header_end],
        "another vocabulary": b"costmodel-vocab-cache\n"
        + json.dumps(other_vocab, sort_keys=True).encode()
        + b"\n"
        + blob[header_end:],
        "bad header json": b"costmodel-vocab-cache\n{not json\n" + blob[header_end:],
    }


@pytest.mark.parametrize(
    "case",
    ["one bit flipped", "truncated", "empty", "not a cache", "header only", "another vocabulary", "bad header json"],
)
def test_corrupt_cache_is_rebuilt_never_trusted(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cl100k_ranks: dict[bytes, int]
) -> None:
    tokens.cached_mergeable_ranks("cl100k_base", cache_dir=tmp_path)
    (path,) = tmp_path.iterdir()
    good = path.read_bytes()
    path.write_bytes(_corruptions(good)[case])
    parsed = _count_parses(monkeypatch)
    assert tokens.cached_mergeable_ranks("cl100k_base", cache_dir=tmp_path) == cl100k_ranks
    assert parsed == ["cl100k_base"]  # parsed again from the verified bundle
    assert path.read_bytes() == good  # and the cache rewritten


def test_a_forged_payload_with_its_own_hash_is_still_checked_against_the_vocabulary(
    tmp_path: Path, cl100k_ranks: dict[bytes, int]
) -> None:
    """A cache whose header claims another vocabulary's sha256 is refused even if self-consistent."""
    forged = tokens._encode_cache(tokens.ENCODINGS["o200k_base"], {b"a": 0, b"b": 1})
    path = tmp_path / "cl100k_base-223921b76ee99bde.ranks"
    path.write_bytes(forged)
    assert tokens.cached_mergeable_ranks("cl100k_base", cache_dir=tmp_path) == cl100k_ranks


def test_unwritable_cache_directory_still_gives_the_ranks(tmp_path: Path, cl100k_ranks: dict[bytes, int]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert tokens.cached_mergeable_ranks("cl100k_base", cache_dir=blocker / "vocab") == cl100k_ranks


def test_get_encoding_uses_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tokens.VOCAB_CACHE_ENV, str(tmp_path))
    get_encoding.cache_clear()
    try:
        enc = get_encoding("o200k_base")
        assert (tmp_path / "vocab" / "o200k_base-446a9538cb6c348e.ranks").is_file()
        assert enc.encode_ordinary("hello world") == reference_encoding("o200k_base").encode("hello world")
    finally:
        get_encoding.cache_clear()
