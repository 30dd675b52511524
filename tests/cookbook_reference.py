"""An independent implementation of the cookbook token convention, for the tests only.

Built directly on tiktoken: the encodings come from tiktoken's own constructors in
``tiktoken_ext.openai_public`` (its split patterns, special tokens, rank-file parser and hash
check), pointed at a decompressed copy of the bundled rank file instead of the network. Nothing
here imports ``costmodel``'s counting code. Counting follows the OpenAI cookbook notebook
(``num_tokens_from_messages``: 3 per message, every value encoded, +1 per name, +3 priming)
with the corrections the project documents (weight skipped, non-strings as compact JSON, text
parts of content lists, tools as compact JSON, DPO = input conversation + both output lists).
"""

from __future__ import annotations

import functools
import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import tiktoken
import tiktoken_ext.openai_public as openai_public
from tiktoken.load import load_tiktoken_bpe

VOCAB = Path(__file__).resolve().parent.parent / "costmodel" / "dataset" / "vocab"
_TMP = Path(tempfile.mkdtemp(prefix="cookbook-ref-"))


@functools.cache
def reference_encoding(name: str) -> tiktoken.Encoding:
    local = _TMP / f"{name}.tiktoken"
    local.write_bytes(gzip.decompress((VOCAB / f"{name}.tiktoken.gz").read_bytes()))

    def load_local(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        assert url.endswith(f"/{name}.tiktoken"), url
        return load_tiktoken_bpe(str(local), expected_hash=expected_hash)  # tiktoken checks the hash

    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = load_local
    try:
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(**spec)


def _n(enc: tiktoken.Encoding, text: str) -> int:
    return len(enc.encode(text, disallowed_special=()))


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _message_tokens(enc: tiktoken.Encoding, messages: list[dict[str, Any]]) -> int:
    num_tokens = 0
    for message in messages:
        num_tokens += 3
        for key, value in message.items():
            if key == "weight":
                continue
            if key == "content" and isinstance(value, list):
                for part in value:
                    if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                        num_tokens += _n(enc, part["text"])
                    else:
                        num_tokens += _n(enc, _as_text(part))
            else:
                num_tokens += _n(enc, _as_text(value))
            if key == "name":
                num_tokens += 1
    return num_tokens


def chat_tokens(enc: tiktoken.Encoding, example: dict[str, Any]) -> int:
    num_tokens = _message_tokens(enc, example["messages"]) + 3
    for key in ("tools", "functions"):
        if example.get(key) is not None:
            num_tokens += _n(enc, _as_text(example[key]))
    return num_tokens


def dpo_tokens(enc: tiktoken.Encoding, example: dict[str, Any]) -> int:
    inp = example["input"]
    num_tokens = chat_tokens(enc, {"messages": inp["messages"], "tools": inp.get("tools")})
    num_tokens += _message_tokens(enc, example["preferred_output"])
    num_tokens += _message_tokens(enc, example["non_preferred_output"])
    return num_tokens


def assistant_tokens(enc: tiktoken.Encoding, example: dict[str, Any]) -> int:
    """The cookbook's assistant counter, with tool and function calls added."""
    total = 0
    for m in example["messages"]:
        if m.get("role") == "assistant":
            if isinstance(m.get("content"), str):
                total += _n(enc, m["content"])
            for key in ("tool_calls", "function_call"):
                if m.get(key) is not None:
                    total += _n(enc, _as_text(m[key]))
    return total
