"""Tokenizer encodings, loaded offline, and chat-format token counting.

Encodings
---------
The two vocabularies OpenAI's fine-tunable models use ship inside the package, gzipped, in
``costmodel/dataset/vocab/``: ``o200k_base`` (gpt-4o, gpt-4.1 and o-series families) and ``cl100k_base``
(gpt-3.5-turbo, gpt-4, babbage-002, davinci-002). They are tiktoken's official rank files (the
same bytes tiktoken would download), verified against the sha256 tiktoken itself expects before
use: a mismatch raises :class:`~costmodel.errors.VocabularyError` naming the file and the
expected hash. Nothing is ever downloaded: :func:`get_encoding` builds the
:class:`tiktoken.Encoding` directly from the bundled file, with the split pattern and special
tokens of ``tiktoken_ext.openai_public`` (copied here; a test checks they still agree).
Encodings are built on first use and cached per process.

Parsing a vocabulary (200,000 base64 lines) takes most of a second, so the parsed ranks are also
cached on disk (:func:`cached_mergeable_ranks`): in ``platformdirs.user_cache_dir("costmodel")``,
or in ``$COSTMODEL_CACHE_DIR`` when set. A cache file records the sha256 of the vocabulary it
was parsed from (the one :data:`ENCODINGS` expects), the Python and marshal versions, and the
sha256 of its own content; it is used only when all match, is written atomically (a temporary
file renamed into place), and a cache that is corrupt, truncated, from another version or for
another vocabulary is rebuilt from the bundled file, never trusted. A cache that cannot be
written only costs the next run the parse.

Counting convention
-------------------
:data:`CONVENTION` names the rule, the OpenAI cookbook's chat convention
(``examples/Chat_finetuning_data_prep.ipynb``)::

    tokens(example) = Σ over messages [ TOKENS_PER_MESSAGE (3)
                                        + Σ over the message's text values len(encode(value))
                                        + TOKENS_PER_NAME (1) if the message has a "name" ]
                      + REPLY_PRIMING_TOKENS (3)

Fixes over the notebook, so that every valid file can be counted:

* ``weight`` is a training directive, not text: it is skipped (the notebook crashed on it,
  openai-cookbook issue #1270).
* A value that is not a string (``tool_calls``, ``function_call``, a list of content parts, a
  number where a string belongs) is counted as its compact JSON text
  (``json.dumps(v, ensure_ascii=False, separators=(",", ":"))``); ``null`` counts 0.
  A content-parts list counts the text of its ``text`` parts and the JSON of the other parts.
* The example's ``tools`` (and legacy ``functions``) list is counted once per example as its
  compact JSON text.
* Text is encoded with ``encode_ordinary``: a literal ``<|endoftext|>`` in a dataset is text,
  not a special token (the notebook's ``encode`` raised on it).

OpenAI publishes the message convention but no formula for tool definitions, tool calls,
content parts or preference (DPO) examples: counts that include any of these are flagged as
estimates (:attr:`TokenCount.estimated`).

DPO examples (:func:`count_dpo_example`) count the ``input`` conversation with the convention
(messages, tools, reply priming) plus the messages of ``preferred_output`` and
``non_preferred_output`` with the per-message rule, each token once. Always an estimate: the
provider may bill the shared input once per output.

Assistant tokens (a statistic, not a price input) are the encoded ``content`` of assistant
messages plus their tool or function calls, as in the notebook's assistant counter.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import gzip
import hashlib
import json
import marshal
import os
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from costmodel._bundled import package_dir
from costmodel._cache import CACHE_ENV, cache_root
from costmodel.errors import UnknownModelError, VocabularyError

__all__ = [
    "CONVENTION",
    "ENCODINGS",
    "REPLY_PRIMING_TOKENS",
    "TOKENS_PER_MESSAGE",
    "TOKENS_PER_NAME",
    "VOCAB_CACHE_ENV",
    "VOCAB_DIR",
    "Encoder",
    "TokenCount",
    "TokenCounter",
    "VocabFile",
    "cached_mergeable_ranks",
    "count_chat_example",
    "count_dpo_example",
    "encoding_name_for_model",
    "get_encoding",
    "load_mergeable_ranks",
    "value_text",
    "vocab_cache_dir",
]

VOCAB_DIR = package_dir("costmodel.dataset") / "vocab"

TOKENS_PER_MESSAGE = 3
"""Formatting overhead per message (cookbook: ``tokens_per_message = 3``)."""
TOKENS_PER_NAME = 1
"""Extra token when a message has a ``name`` (cookbook: ``tokens_per_name = 1``)."""
REPLY_PRIMING_TOKENS = 3
"""Tokens per conversation priming the reply (cookbook: ``num_tokens += 3``)."""

CONVENTION = (
    "openai-cookbook-chat: 3 tokens per message + encoded text of each message value "
    "(role, content, name, ...; weight skipped; non-string values as compact JSON) "
    "+ 1 per name + 3 reply priming per example; tools counted as compact JSON"
)

ENDOFTEXT = "<|endoftext|>"
FIM_PREFIX = "<|fim_prefix|>"
FIM_MIDDLE = "<|fim_middle|>"
FIM_SUFFIX = "<|fim_suffix|>"
ENDOFPROMPT = "<|endofprompt|>"


@dataclass(frozen=True)
class VocabFile:
    """A bundled vocabulary: file name in :data:`VOCAB_DIR`, sha256 of the decompressed text."""

    name: str
    filename: str
    sha256: str
    pat_str: str
    special_tokens: Mapping[str, int]


# Split patterns and special tokens: tiktoken_ext/openai_public.py (tiktoken 0.14), verbatim.
_CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|"""
    r"""\s+(?!\S)|\s"""
)
_O200K_PAT = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)

ENCODINGS: dict[str, VocabFile] = {
    "cl100k_base": VocabFile(
        name="cl100k_base",
        filename="cl100k_base.tiktoken.gz",
        # the hash tiktoken_ext.openai_public expects for cl100k_base.tiktoken
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=_CL100K_PAT,
        special_tokens={
            ENDOFTEXT: 100257,
            FIM_PREFIX: 100258,
            FIM_MIDDLE: 100259,
            FIM_SUFFIX: 100260,
            ENDOFPROMPT: 100276,
        },
    ),
    "o200k_base": VocabFile(
        name="o200k_base",
        filename="o200k_base.tiktoken.gz",
        # the hash tiktoken_ext.openai_public expects for o200k_base.tiktoken
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str=_O200K_PAT,
        special_tokens={ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    ),
}

# Model families by name prefix, for names the model registry does not list (fine-tuned ids
# such as "ft:gpt-4o-mini-2024-07-18:org::abc" included). Longest prefix wins.
_FAMILY_ENCODING: tuple[tuple[str, str], ...] = (
    ("gpt-4o", "o200k_base"),
    ("gpt-4.1", "o200k_base"),
    ("gpt-4.5", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("o1", "o200k_base"),
    ("o3", "o200k_base"),
    ("o4", "o200k_base"),
    ("gpt-3.5-turbo", "cl100k_base"),
    ("gpt-35-turbo", "cl100k_base"),
    ("gpt-4", "cl100k_base"),
    ("babbage-002", "cl100k_base"),
    ("davinci-002", "cl100k_base"),
)


def encoding_name_for_model(model: str) -> str:
    """The encoding of a model family, by name.

    >>> encoding_name_for_model("gpt-4o-mini-2024-07-18")
    'o200k_base'
    >>> encoding_name_for_model("ft:gpt-3.5-turbo-0125:acme::8abc")
    'cl100k_base'

    Raises :class:`UnknownModelError` for a name of no known family (never a silent default).
    """
    name = model.strip().lower()
    if name.startswith("ft:"):
        name = name[3:]
    best: tuple[int, str] | None = None
    for prefix, enc in _FAMILY_ENCODING:
        if name.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), enc)
    if best is None:
        raise UnknownModelError(
            f"no known tokenizer for model '{model}'",
            field="model",
            hint="use a gpt-4o, gpt-4.1, o-series, gpt-3.5-turbo, gpt-4, babbage-002 or davinci-002 model name",
        )
    return best[1]


def load_mergeable_ranks(name: str, *, vocab_dir: Path | None = None) -> dict[bytes, int]:
    """Read, verify (sha256) and parse a bundled vocabulary: ``{token bytes: rank}``.

    Raises :class:`VocabularyError` when the file is missing, not gzip, has another sha256 than
    the one recorded in :data:`ENCODINGS`, or holds a malformed line.
    """
    spec = _spec(name)
    path = (vocab_dir or VOCAB_DIR) / spec.filename
    hint = "reinstall costmodel (pip install --force-reinstall costmodel) to restore the bundled vocabulary"
    try:
        packed = path.read_bytes()
    except OSError as exc:
        raise VocabularyError(
            f"cannot read the {name} vocabulary ({exc.strerror or exc})", source=str(path), hint=hint
        ) from None
    try:
        data = gzip.decompress(packed)
    except (OSError, EOFError, zlib.error) as exc:
        raise VocabularyError(
            f"the {name} vocabulary is not a valid gzip file ({exc}); expected sha256 {spec.sha256} "
            "of the decompressed content",
            source=str(path),
            hint=hint,
        ) from None
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise VocabularyError(
            f"the {name} vocabulary is corrupted: sha256 {actual}, expected {spec.sha256}",
            source=str(path),
            hint=hint,
        )
    ranks: dict[bytes, int] = {}
    for lineno, line in enumerate(data.splitlines(), start=1):
        if not line:
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except (ValueError, binascii.Error):
            raise VocabularyError(
                f"malformed rank line in the {name} vocabulary", source=str(path), line=lineno, hint=hint
            ) from None
    return ranks


VOCAB_CACHE_ENV = CACHE_ENV
"""Environment variable: the directory for costmodel's caches (default: the user cache directory)."""

_CACHE_MAGIC = b"costmodel-vocab-cache\n"
_CACHE_FORMAT = 1


def vocab_cache_dir() -> Path:
    """Where parsed vocabularies are cached: ``$COSTMODEL_CACHE_DIR/vocab`` or the user cache dir's."""
    return cache_root() / "vocab"


def _cache_path(spec: VocabFile, cache_dir: Path) -> Path:
    return cache_dir / f"{spec.name}-{spec.sha256[:16]}.ranks"


def _cache_header(spec: VocabFile, payload_sha256: str, count: int) -> bytes:
    header = {
        "format": _CACHE_FORMAT,
        "encoding": spec.name,
        "vocab_sha256": spec.sha256,
        "payload_sha256": payload_sha256,
        "count": count,
        "marshal": [marshal.version, *sys.version_info[:2]],
    }
    return _CACHE_MAGIC + json.dumps(header, sort_keys=True).encode("ascii") + b"\n"


def _encode_cache(spec: VocabFile, ranks: Mapping[bytes, int]) -> bytes:
    """A JSON header line, then the ranks in :mod:`marshal` format (4x faster to load than pickle's
    equivalent, 5x faster than parsing). The payload is loaded only after its sha256 matched, as
    Python trusts its own ``__pycache__`` (marshal data too) to the user's files."""
    payload = marshal.dumps(dict(ranks))
    return _cache_header(spec, hashlib.sha256(payload).hexdigest(), len(ranks)) + payload


def _decode_cache(spec: VocabFile, blob: bytes) -> dict[bytes, int] | None:
    """The ranks in a cache file, or ``None`` when it is not a valid cache of ``spec``'s vocabulary."""
    if not blob.startswith(_CACHE_MAGIC):
        return None
    end = blob.find(b"\n", len(_CACHE_MAGIC))
    if end < 0:
        return None
    try:
        header = json.loads(blob[len(_CACHE_MAGIC) : end])
        count = int(header["count"])
        ok = (
            header["format"] == _CACHE_FORMAT
            and header["encoding"] == spec.name
            and header["vocab_sha256"] == spec.sha256
            and header["marshal"] == [marshal.version, *sys.version_info[:2]]
            and count > 0
        )
        payload_sha256 = str(header["payload_sha256"])
    except (ValueError, KeyError, TypeError):
        return None
    payload = memoryview(blob)[end + 1 :]
    if not ok or hashlib.sha256(payload).hexdigest() != payload_sha256:
        return None
    try:
        ranks = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(ranks, dict) or len(ranks) != count:
        return None
    if set(map(type, ranks)) != {bytes} or set(map(type, ranks.values())) != {int}:
        return None
    return ranks


def _write_cache(path: Path, content: bytes) -> None:
    """Write atomically (temporary file in the same directory, then rename); failure costs only speed."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def cached_mergeable_ranks(name: str, *, cache_dir: Path | None = None) -> dict[bytes, int]:
    """:func:`load_mergeable_ranks`, through the on-disk cache described in the module docstring.

    ``cache_dir`` defaults to :func:`vocab_cache_dir`. A valid cache is read without touching the
    bundled file; otherwise the bundled file is read, verified and parsed, and the cache rewritten.
    """
    spec = _spec(name)
    path = _cache_path(spec, cache_dir or vocab_cache_dir())
    try:
        blob = path.read_bytes()
    except OSError:
        blob = b""
    ranks = _decode_cache(spec, blob) if blob else None
    if ranks is not None:
        return ranks
    ranks = load_mergeable_ranks(name)
    _write_cache(path, _encode_cache(spec, ranks))
    return ranks


def _spec(name: str) -> VocabFile:
    try:
        return ENCODINGS[name]
    except KeyError:
        raise VocabularyError(
            f"unknown encoding '{name}'", field="encoding", hint="use one of " + ", ".join(ENCODINGS)
        ) from None


@functools.cache
def get_encoding(name: str) -> Encoder:
    """The :class:`tiktoken.Encoding` ``name``, built offline from the bundled vocabulary (cached)."""
    import tiktoken  # imported here so that importing costmodel stays light

    spec = _spec(name)
    ranks = cached_mergeable_ranks(name)
    enc: Encoder = tiktoken.Encoding(
        name=spec.name,
        pat_str=spec.pat_str,
        mergeable_ranks=ranks,
        special_tokens=dict(spec.special_tokens),
    )
    _built.add(name)
    return enc


_built: set[str] = set()


def is_built(name: str) -> bool:
    """Whether :func:`get_encoding` has built ``name`` in this process (it is cached: using it is free)."""
    return name in _built


class Encoder(Protocol):
    """What counting needs from an encoding (a :class:`tiktoken.Encoding`, or a test fake)."""

    @property
    def name(self) -> str: ...

    def encode_ordinary(self, text: str) -> list[int]: ...


def _pieces(text: str, size: int) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters, each cut just before a whitespace character
    when one lies in the second half of the window."""
    start = 0
    n = len(text)
    while start < n:
        end = start + size
        if end >= n:
            yield text[start:]
            return
        cut = end
        for i in range(end, start + size // 2, -1):
            if text[i].isspace() and not text[i - 1].isspace():
                cut = i
                break
        yield text[start:cut]
        start = cut


@dataclass(frozen=True, slots=True)
class TokenCount:
    """Tokens of one example: ``total`` (billed before the context cap), ``assistant`` (statistic)."""

    total: int
    assistant: int
    estimated: bool


def value_text(value: Any) -> tuple[str, bool]:
    """The text a message value is counted as, and whether that is an estimate.

    >>> value_text("hi")
    ('hi', False)
    >>> value_text({"name": "f", "arguments": "{}"})
    ('{"name":"f","arguments":"{}"}', True)
    """
    if isinstance(value, str):
        return value, False
    if value is None:
        return "", False
    return _json(value), True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class TokenCounter:
    """Counts examples with :data:`CONVENTION` using ``encoder``.

    Remembers the count of short strings it has seen (roles, names, system prompts, which repeat
    from example to example) in a bounded dictionary: counting is a pure function of the text,
    so this only saves time.
    """

    CACHE_MAX_CHARS = 4_096
    """Only strings up to this length are remembered."""
    CACHE_BUDGET_CHARS = 4_000_000
    """The cache is emptied when the remembered strings exceed this many characters (a few MB)."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self._encode = encoder.encode_ordinary
        self._cache: dict[str, int] = {}
        self._cached_chars = 0

    @property
    def encoding_name(self) -> str:
        return self.encoder.name

    LONG_TEXT_CHARS = 100_000
    PIECE_CHARS = 64 * 1024
    """Longer strings are encoded in pieces cut just before whitespace (where the encoding's
    pre-tokenizer splits anyway, so counts stay exact); a stretch with no whitespace is cut hard,
    which can move at most one token per 64 Ki characters. Without this, the byte-pair merge of one
    15 MB word holds about 50 bytes per character (issue 14: 1 GB for a 15 MB line)."""
    """Longer strings are counted through ``encode_to_numpy`` when the encoder has it: 4 bytes per
    token instead of a Python list of ints (a 10 MB string would otherwise cost ~100 MB)."""

    def text(self, text: str) -> int:
        """Tokens of a string (no overhead)."""
        if len(text) > self.PIECE_CHARS:
            return sum(self.text(piece) for piece in _pieces(text, self.PIECE_CHARS))
        if len(text) > self.CACHE_MAX_CHARS:
            if len(text) > self.LONG_TEXT_CHARS and hasattr(self.encoder, "encode_to_numpy"):
                # allowed_special empty + no disallowed check = encode_ordinary, as a uint32 array
                return len(self.encoder.encode_to_numpy(text, allowed_special=set(), disallowed_special=()))
            return len(self._encode(text))
        cache = self._cache
        n = cache.get(text)
        if n is None:
            n = len(self._encode(text))
            self._cached_chars += len(text)
            if self._cached_chars > self.CACHE_BUDGET_CHARS:
                cache.clear()
                self._cached_chars = len(text)
            cache[text] = n
        return n

    def content(self, content: Any) -> tuple[int, bool]:
        """Tokens of a ``content`` value: a string, ``null``, or a list of content parts."""
        if isinstance(content, str):
            return self.text(content), False
        if content is None:
            return 0, False
        if isinstance(content, list):
            n = 0
            for part in content:
                if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                    n += self.text(part["text"])
                else:
                    n += self.text(_json(part))
            return n, True
        return self.text(_json(content)), True

    def message(self, message: Mapping[str, Any]) -> tuple[int, int, bool]:
        """(tokens, assistant tokens, estimated) of one message, overhead included.

        One pass over the values: each is encoded once (the assistant count reuses the
        content and call counts).
        """
        n = TOKENS_PER_MESSAGE
        estimated = False
        own = 0  # content + tool_calls + function_call: the assistant counter's part
        text = self.text
        encode = self._encode
        # remember roles, names and system prompts (repeated across examples); other content is
        # usually unique, so it is encoded directly
        remember_content = message.get("role") == "system"
        for key, value in message.items():
            if isinstance(value, str):
                if key == "content" and not remember_content and len(value) <= self.LONG_TEXT_CHARS:
                    c = len(encode(value))
                else:
                    c = text(value)
            elif key == "weight":
                continue
            elif value is None:
                c = 0
            elif key == "content":
                c, est = self.content(value)
                estimated = estimated or est
            else:
                c = text(_json(value))
                estimated = True
            n += c
            if key == "content" or key == "tool_calls" or key == "function_call":
                own += c
            elif key == "name":
                n += TOKENS_PER_NAME
        return n, (own if message.get("role") == "assistant" else 0), estimated

    def plain_messages(self, messages: Iterable[Mapping[str, str]]) -> tuple[int, int]:
        """(tokens, assistant tokens) of messages that are each exactly ``{"role": ..., "content":
        "..."}`` with string values: :meth:`messages` without the general walk over keys and value
        types (most training examples; the analysis checked the shape first).

        >>> class Chars:  # a stand-in encoding: one token per character
        ...     name = "chars"
        ...     def encode_ordinary(self, text): return list(text)
        >>> chat = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok!"}]
        >>> TokenCounter(Chars()).plain_messages(chat)  # (3 + 4 + 2) + (3 + 9 + 3); the reply's 3
        (24, 3)
        """
        total = assistant = 0
        text = self.text
        encode = self._encode
        long_text = self.LONG_TEXT_CHARS
        for m in messages:
            role = m["role"]
            content = m["content"]
            # as :meth:`message`: a system prompt is remembered, other content encoded directly
            c = text(content) if role == "system" or len(content) > long_text else len(encode(content))
            total += TOKENS_PER_MESSAGE + text(role) + c
            if role == "assistant":
                assistant += c
        return total, assistant

    def messages(self, messages: Iterable[Any]) -> tuple[int, int, bool]:
        """Sum of :meth:`message` over the message objects (other items are skipped)."""
        total = assistant = 0
        estimated = False
        for m in messages:
            if isinstance(m, dict):
                t, a, e = self.message(m)
                total += t
                assistant += a
                estimated = estimated or e
        return total, assistant, estimated

    def tools(self, tools: Any) -> int:
        """Tokens of a ``tools`` (or ``functions``) list, counted as compact JSON (estimate)."""
        if tools is None:
            return 0
        return self.text(_json(tools))


def count_chat_example(
    counter: TokenCounter,
    messages: Sequence[Any],
    *,
    tools: Any = None,
    functions: Any = None,
) -> TokenCount:
    """Tokens of a chat example under :data:`CONVENTION`."""
    total, assistant, estimated = counter.messages(messages)
    total += REPLY_PRIMING_TOKENS
    for extra in (tools, functions):
        if extra is not None:
            total += counter.tools(extra)
            estimated = True
    return TokenCount(total=total, assistant=assistant, estimated=estimated)


def count_dpo_example(
    counter: TokenCounter,
    input_messages: Sequence[Any],
    preferred: Sequence[Any],
    non_preferred: Sequence[Any],
    *,
    tools: Any = None,
) -> TokenCount:
    """Tokens of a preference example: the input conversation once, both outputs (estimate)."""
    base = count_chat_example(counter, input_messages, tools=tools)
    p_total, p_assistant, _ = counter.messages(preferred)
    n_total, n_assistant, _ = counter.messages(non_preferred)
    return TokenCount(
        total=base.total + p_total + n_total,
        assistant=base.assistant + p_assistant + n_assistant,
        estimated=True,
    )
