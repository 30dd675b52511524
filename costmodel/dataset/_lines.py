"""Per-line work of the dataset analysis: decode, parse, check, count, hash.

This module runs inside the worker processes, so it imports only the standard library and
:mod:`costmodel.dataset.tokens`, and returns compact results (arrays of ints, capped problem lists)
that pickle cheaply. No pydantic here: :mod:`costmodel.dataset._analyze` turns the tuples into
:class:`~costmodel.dataset.Problem` objects.

A problem is a tuple ``(line, field, code, message)``; the code's severity and fix hint live in
:data:`CODES`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from array import array
from dataclasses import dataclass, field
from typing import Any, Literal

from costmodel.dataset.tokens import (
    REPLY_PRIMING_TOKENS,
    Encoder,
    TokenCounter,
    count_chat_example,
    count_dpo_example,
    get_encoding,
)

Severity = Literal["error", "warning"]
ProblemTuple = tuple[int | None, str | None, str, str]

SUPPORTED_FORMATS = (
    "chat ({'messages': [...]} with optional 'tools' and 'parallel_tool_calls') or "
    "preference/DPO ({'input': {'messages': [...]}, 'preferred_output': [...], 'non_preferred_output': [...]})"
)

# code -> (severity, fix hint). Stable: codes are part of the JSON output.
CODES: dict[str, tuple[Severity, str]] = {
    # file level
    "no_examples": ("error", f"write one JSON object per line, in a supported format: {SUPPORTED_FORMATS}"),
    "unsupported_format": ("error", f"write each line in a supported format: {SUPPORTED_FORMATS}"),
    "too_few_examples": ("error", "add examples: OpenAI and Azure need at least 10 (50-100 usually help more)"),
    "file_too_large": ("error", "split the file below the limit, or use OpenAI's multi-part Uploads API"),
    "model_not_fine_tunable": ("warning", "pick a fine-tunable base model (see data/models.csv)"),
    "unknown_training_context": (
        "warning",
        "pass --training-context to check example length; without it no example is truncated",
    ),
    # line level
    "line_too_long": ("error", "this line cannot be a valid example; check how the file was written"),
    "blank_line": ("warning", "delete empty lines: every line of a JSONL training file should be one example"),
    "invalid_utf8": ("error", "save the file as UTF-8"),
    "invalid_json": ("error", "write one complete JSON object per line (check quotes, commas and brackets)"),
    "invalid_unicode": (
        "error",
        "a \\uD800-\\uDFFF escape must be one half of a pair: write the character itself or remove the escape",
    ),
    "not_an_object": ("error", 'each line must be a JSON object such as {"messages": [...]}'),
    "format_mismatch": ("error", "keep one format per file: split chat and preference examples into two files"),
    "missing_messages": ("error", "give the example a non-empty 'messages' list"),
    "message_not_object": ("error", "write each message as an object with 'role' and 'content'"),
    "missing_role": ("error", "give every message a 'role': system, user, assistant or tool"),
    "unrecognized_role": ("error", "use role system, user, assistant, tool (or legacy function)"),
    "missing_content": (
        "error",
        "give the message a non-empty 'content' (an assistant message may omit it only with 'tool_calls')",
    ),
    "invalid_type": ("error", "use the JSON type the format expects (strings for text, a list for tool_calls)"),
    "unrecognized_key": (
        "error",
        "remove the key; messages may carry role, content, name, tool_calls, tool_call_id, function_call, weight",
    ),
    "unrecognized_example_key": ("warning", "remove the key; providers may reject or ignore it"),
    "invalid_weight": ("error", "set 'weight' to 0 or 1, and only on assistant messages"),
    "invalid_tool_call": (
        "error",
        "write tool calls as {'id', 'type': 'function', 'function': {'name', 'arguments': '<JSON string>'}}",
    ),
    "tool_arguments_not_json": ("warning", "make 'arguments' a JSON-encoded string such as '{\"city\": \"Paris\"}'"),
    "missing_tool_call_id": ("error", "give every tool message the 'tool_call_id' of the call it answers"),
    "invalid_tools": ("error", "write 'tools' as a list of {'type': 'function', 'function': {'name', ...}}"),
    "no_assistant_message": ("error", "add the assistant reply the model should learn"),
    "all_weights_zero": ("warning", "set weight 1 on at least one assistant message, or drop the example"),
    "no_system_message": ("warning", "add a system message if you will use one at inference"),
    "no_user_message": ("warning", "add the user message the assistant answers"),
    "invalid_dpo_output": (
        "error",
        "give 'preferred_output' and 'non_preferred_output' each a list with one assistant message",
    ),
    "duplicate_example": ("warning", "remove the repeated example (it is billed and trained twice)"),
    "example_too_long": ("warning", "shorten the example: tokens past the training context are cut off"),
}

MAX_DETAILS_PER_CODE = 1000
"""Problems listed per code; beyond that they are only counted (memory stays bounded)."""

MAX_LINE_BYTES = 16 * 1024 * 1024
"""A longer line is reported (``line_too_long``) without being parsed. 16 MiB is about 4 million
tokens, sixty times the largest training context (65,536 tokens)."""

BOM = b"\xef\xbb\xbf"

CHAT_ROLES = frozenset({"system", "user", "assistant", "tool", "function"})
OUTPUT_ROLES = frozenset({"assistant", "tool"})
MESSAGE_KEYS = frozenset({"role", "content", "name", "function_call", "tool_calls", "tool_call_id", "weight"})
CHAT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls", "functions"})
DPO_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})
DPO_INPUT_KEYS = frozenset({"messages", "tools", "parallel_tool_calls"})

_PLAIN_ROLES = frozenset({"system", "user", "assistant"})  # roles that need no key besides content

FORMAT_CHAT = 1
FORMAT_DPO = 2


@dataclass
class ChunkResult:
    """What one chunk of lines yields. Arrays are in file order, one entry per example."""

    lines_seen: int = 0
    # uint32: a line is at most MAX_LINE_BYTES (16 MiB), so its counts stay far below 2**32
    tokens: array[int] = field(default_factory=lambda: array("I"))
    assistant_tokens: array[int] = field(default_factory=lambda: array("I"))
    messages: array[int] = field(default_factory=lambda: array("I"))
    example_lines: array[int] = field(default_factory=lambda: array("q"))
    hashes: array[int] = field(default_factory=lambda: array("Q"))
    formats: bytearray = field(default_factory=bytearray)
    estimated: int = 0
    objects: int = 0  # JSON objects seen, examples or not
    problems: list[ProblemTuple] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, line: int | None, fld: str | None, code: str, message: str) -> None:
        n = self.counts.get(code, 0)
        self.counts[code] = n + 1
        if n < MAX_DETAILS_PER_CODE:
            self.problems.append((line, fld, code, message))


@functools.cache
def _counter_for(encoding_name: str) -> TokenCounter:
    return TokenCounter(get_encoding(encoding_name))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__  # pragma: no cover - json gives only the types above


def analyze_chunk(
    data: bytes,
    first_line: int,
    *,
    at_file_start: bool,
    encoding_name: str | None = None,
    encoder: Encoder | None = None,
) -> ChunkResult:
    """Analyse the complete lines in ``data`` (line numbers start at ``first_line``).

    ``data`` ends at a line end, except for the last chunk of a file. Give ``encoding_name``
    (a worker builds the bundled encoding) or an ``encoder`` (tests, in-process runs).
    """
    counter = TokenCounter(encoder) if encoder is not None else _counter_for(encoding_name or "")
    out = ChunkResult()
    if at_file_start and data.startswith(BOM):
        data = data[len(BOM) :]
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()  # the newline that ends the chunk does not start a line
    out.lines_seen = len(parts)
    loads = json.JSONDecoder(parse_constant=_reject_constant).decode
    blake = hashlib.blake2b
    for lineno, raw in enumerate(parts, start=first_line):
        _line(raw, lineno, out, counter, loads, blake)
    return out


def _line(raw: bytes, lineno: int, out: ChunkResult, counter: TokenCounter, loads: Any, blake: Any) -> None:
    if len(raw) > MAX_LINE_BYTES:
        out.add(lineno, None, "line_too_long", f"line of {len(raw):,} bytes (limit {MAX_LINE_BYTES:,}) not read")
        return
    stripped = raw.strip()
    if not stripped:
        out.add(lineno, None, "blank_line", "blank line")
        return
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = stripped[exc.start]
        at = _lead(raw) + exc.start + 1
        out.add(lineno, None, "invalid_utf8", f"invalid UTF-8 byte 0x{byte:02x} at byte {at}")
        return
    try:
        obj = loads(text)
    except json.JSONDecodeError as exc:
        if text.startswith("\ufeff"):
            what = "unexpected byte-order mark (BOM) inside the file"
        elif exc.pos >= len(text):
            what = "the line ends before the JSON does (truncated?)"
        else:
            what = exc.msg
        out.add(lineno, None, "invalid_json", f"invalid JSON: {what} (column {_lead(raw) + exc.colno})")
        return
    except ValueError as exc:  # NaN, Infinity
        out.add(lineno, None, "invalid_json", f"invalid JSON: {exc}")
        return
    except RecursionError:
        out.add(lineno, None, "invalid_json", "invalid JSON: nested too deeply")
        return
    if not isinstance(obj, dict):
        out.add(lineno, None, "not_an_object", f"the line is {_type_name(obj)}, not a JSON object")
        return
    out.objects += 1
    if _SURROGATE_ESCAPE(text) is not None and (where := _lone_surrogate(obj)) is not None:
        # only a \uXXXX escape can produce one (raw UTF-8 cannot); it is not text any API accepts,
        # and echoing it would break every terminal and table that shows the problem
        out.add(lineno, None, "invalid_unicode", f"a lone UTF-16 surrogate escape in {where}: not valid Unicode text")
        return
    try:
        if "messages" in obj or not (obj.keys() & DPO_KEYS):
            ok = _chat(obj, lineno, out, counter)
            fmt = FORMAT_CHAT
        else:
            ok = _dpo(obj, lineno, out, counter)
            fmt = FORMAT_DPO
    except RecursionError:
        out.add(lineno, None, "invalid_json", "invalid JSON: nested too deeply")
        return
    if ok:
        out.example_lines.append(lineno)
        out.formats.append(fmt)
        out.hashes.append(int.from_bytes(blake(stripped, digest_size=8).digest(), "little"))


def _lead(raw: bytes) -> int:
    """Whitespace bytes before the line's content (columns count from the start of the raw line)."""
    return len(raw) - len(raw.lstrip())


_SURROGATE_ESCAPE = re.compile(r"\\u[dD]").search
"""Finds a ``\\ud``/``\\uD`` escape: only those can put a lone surrogate in a parsed string (one
regular-expression scan, about twice as fast as two substring searches on a 2 KB line)."""


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _lone_surrogate(obj: Any, depth: int = 0) -> str | None:
    """Where a string (key or value) of ``obj`` holds a lone surrogate: "a key" or "a value"; else None."""
    if isinstance(obj, str):
        return "a value" if _has_surrogate(obj) else None
    if depth > 200:  # deeper than any example; json.loads already bounded it
        return None
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(key, str) and _has_surrogate(key):
                return "a key"
            found = _lone_surrogate(value, depth + 1)
            if found is not None:
                return found
    elif isinstance(obj, list):
        for item in obj:
            found = _lone_surrogate(item, depth + 1)
            if found is not None:
                return found
    return None


def _chat(obj: dict[str, Any], line: int, out: ChunkResult, counter: TokenCounter) -> bool:
    messages = obj.get("messages")
    if messages is None:
        if "prompt" in obj or "completion" in obj:
            out.add(
                line,
                None,
                "unsupported_format",
                "legacy prompt/completion example: not a supported format",
            )
        else:
            out.add(line, "messages", "missing_messages", "no 'messages' list; supported: " + SUPPORTED_FORMATS)
        return False
    if not isinstance(messages, list) or not messages:
        what = "empty" if isinstance(messages, list) else _type_name(messages)
        out.add(line, "messages", "missing_messages", f"'messages' is {what}, not a non-empty list")
        return False
    for key in obj:
        if key not in CHAT_KEYS:
            out.add(line, key, "unrecognized_example_key", f"unrecognized key '{key}' next to 'messages'")
    tools = obj.get("tools")
    if "tools" in obj:
        _check_tools(tools, "tools", line, out)
    functions = obj.get("functions")
    if "functions" in obj and not isinstance(functions, list):
        out.add(line, "functions", "invalid_tools", f"'functions' is {_type_name(functions)}, not a list")
    _check_parallel(obj, "parallel_tool_calls", line, out)
    seen = _check_messages(messages, "messages", line, out, CHAT_ROLES)
    _check_conversation(seen, line, out, "messages")
    if seen.plain and tools is None and functions is None:
        # every message is {"role": ..., "content": "..."}: the same count without the general walk
        total, assistant = counter.plain_messages(messages)
        _record(out, total + REPLY_PRIMING_TOKENS, assistant, len(messages), False)
        return True
    count = count_chat_example(counter, messages, tools=tools, functions=functions)
    _record(out, count.total, count.assistant, len(messages), count.estimated)
    return True


def _dpo(obj: dict[str, Any], line: int, out: ChunkResult, counter: TokenCounter) -> bool:
    for key in obj:
        if key not in DPO_KEYS:
            out.add(line, key, "unrecognized_example_key", f"unrecognized key '{key}' in a preference example")
    inp = obj.get("input")
    messages: list[Any] = []
    tools = None
    if not isinstance(inp, dict):
        what = "missing" if inp is None else _type_name(inp)
        out.add(line, "input", "missing_messages", f"'input' is {what}, not an object with a 'messages' list")
    else:
        for key in inp:
            if key not in DPO_INPUT_KEYS:
                out.add(line, f"input.{key}", "unrecognized_example_key", f"unrecognized key '{key}' in 'input'")
        raw = inp.get("messages")
        if not isinstance(raw, list) or not raw:
            what = "missing" if raw is None else ("empty" if isinstance(raw, list) else _type_name(raw))
            out.add(line, "input.messages", "missing_messages", f"'input.messages' is {what}, not a non-empty list")
        else:
            messages = raw
            seen = _check_messages(messages, "input.messages", line, out, CHAT_ROLES)
            if "user" not in seen.roles:
                out.add(line, "input.messages", "no_user_message", "no user message in 'input'")
        tools = inp.get("tools")
        if "tools" in inp:
            _check_tools(tools, "input.tools", line, out)
        _check_parallel(inp, "input.parallel_tool_calls", line, out)
    outputs: list[list[Any]] = []
    for key in ("preferred_output", "non_preferred_output"):
        value = obj.get(key)
        if not isinstance(value, list) or not value:
            what = "missing" if value is None else ("empty" if isinstance(value, list) else _type_name(value))
            out.add(line, key, "invalid_dpo_output", f"'{key}' is {what}, not a list with an assistant message")
            outputs.append([])
            continue
        if "assistant" not in _check_messages(value, key, line, out, OUTPUT_ROLES).roles:
            out.add(line, key, "invalid_dpo_output", f"'{key}' has no assistant message")
        outputs.append(value)
    count = count_dpo_example(counter, messages, outputs[0], outputs[1], tools=tools)
    _record(out, count.total, count.assistant, len(messages) + len(outputs[0]) + len(outputs[1]), True)
    return True


def _record(out: ChunkResult, total: int, assistant: int, n_messages: int, estimated: bool) -> None:
    out.tokens.append(total)
    out.assistant_tokens.append(assistant)
    out.messages.append(n_messages)
    if estimated:
        out.estimated += 1


@dataclass
class _Seen:
    """What a list of messages held: the roles, and the weight of each assistant message."""

    roles: set[str] = field(default_factory=set)
    assistant_weights: list[int] = field(default_factory=list)
    plain: bool = True  # every message is exactly {"role": system/user/assistant, "content": non-empty text}


def _check_messages(messages: list[Any], prefix: str, line: int, out: ChunkResult, allowed: frozenset[str]) -> _Seen:
    seen = _Seen()
    for i, m in enumerate(messages):
        if type(m) is dict and len(m) == 2:
            # fast path for the common {"role": ..., "content": "..."}: same outcome as the checks below
            role, content = m.get("role"), m.get("content")
            if type(role) is str and type(content) is str and content and role in allowed and role in _PLAIN_ROLES:
                seen.roles.add(role)
                if role == "assistant":
                    seen.assistant_weights.append(1)
                continue
        seen.plain = False
        path = f"{prefix}[{i}]"
        if not isinstance(m, dict):
            out.add(line, path, "message_not_object", f"message is {_type_name(m)}, not an object")
            continue
        for key in m:
            if key not in MESSAGE_KEYS:
                out.add(line, f"{path}.{key}", "unrecognized_key", f"unrecognized key '{key}' in a message")
        role = m.get("role")
        if role is None:
            out.add(line, f"{path}.role", "missing_role", "message without 'role'")
            role = ""
        elif not isinstance(role, str):
            out.add(line, f"{path}.role", "invalid_type", f"'role' is {_type_name(role)}, not a string")
            role = ""
        elif role not in allowed:
            where = "here" if allowed is OUTPUT_ROLES else "in fine-tuning data"
            out.add(
                line,
                f"{path}.role",
                "unrecognized_role",
                f"role '{role}' is not allowed {where} (use {', '.join(sorted(allowed))})",
            )
        seen.roles.add(role)
        calls = _check_calls(m, path, role, line, out)
        _check_content(m, path, role, calls, line, out)
        if "name" in m and not isinstance(m["name"], str):
            out.add(line, f"{path}.name", "invalid_type", f"'name' is {_type_name(m['name'])}, not a string")
        if role == "tool":
            tcid = m.get("tool_call_id")
            if tcid is None:
                out.add(line, f"{path}.tool_call_id", "missing_tool_call_id", "tool message without 'tool_call_id'")
            elif not isinstance(tcid, str):
                out.add(line, f"{path}.tool_call_id", "invalid_type", f"'tool_call_id' is {_type_name(tcid)}")
        elif role == "function" and not isinstance(m.get("name"), str):
            out.add(line, f"{path}.name", "invalid_type", "a function message needs the function's 'name'")
        if "weight" in m:
            w = m["weight"]
            if role != "assistant":
                out.add(line, f"{path}.weight", "invalid_weight", f"'weight' on a {role or 'role-less'} message")
            elif isinstance(w, bool) or w not in (0, 1):
                out.add(line, f"{path}.weight", "invalid_weight", f"'weight' is {json.dumps(w)}, not 0 or 1")
            else:
                seen.assistant_weights.append(int(w))
        elif role == "assistant":
            seen.assistant_weights.append(1)
    return seen


def _check_calls(m: dict[str, Any], path: str, role: str, line: int, out: ChunkResult) -> bool:
    """Check tool_calls / function_call; True when the message carries a call."""
    has_call = False
    if "tool_calls" in m:
        calls = m["tool_calls"]
        if role != "assistant":
            out.add(line, f"{path}.tool_calls", "invalid_tool_call", f"'tool_calls' on a {role or 'role-less'} message")
        if not isinstance(calls, list) or not calls:
            what = "empty" if isinstance(calls, list) else _type_name(calls)
            out.add(line, f"{path}.tool_calls", "invalid_tool_call", f"'tool_calls' is {what}, not a non-empty list")
        else:
            has_call = True
            for j, call in enumerate(calls):
                cpath = f"{path}.tool_calls[{j}]"
                if not isinstance(call, dict):
                    out.add(line, cpath, "invalid_tool_call", f"tool call is {_type_name(call)}, not an object")
                    continue
                if not isinstance(call.get("id"), str):
                    out.add(line, f"{cpath}.id", "invalid_tool_call", "tool call without a string 'id'")
                if call.get("type") != "function":
                    out.add(line, f"{cpath}.type", "invalid_tool_call", "tool call 'type' is not \"function\"")
                _check_function(call.get("function"), f"{cpath}.function", line, out)
    if "function_call" in m:
        if role != "assistant":
            out.add(line, f"{path}.function_call", "invalid_tool_call", "'function_call' on a non-assistant message")
        _check_function(m["function_call"], f"{path}.function_call", line, out)
        has_call = True
    return has_call


def _check_function(fn: Any, path: str, line: int, out: ChunkResult) -> None:
    if not isinstance(fn, dict):
        out.add(line, path, "invalid_tool_call", f"'{path.rsplit('.', 1)[-1]}' is {_type_name(fn)}, not an object")
        return
    if not isinstance(fn.get("name"), str) or not fn.get("name"):
        out.add(line, f"{path}.name", "invalid_tool_call", "function call without a 'name'")
    args = fn.get("arguments")
    if not isinstance(args, str):
        out.add(line, f"{path}.arguments", "invalid_tool_call", f"'arguments' is {_type_name(args)}, not a JSON string")
        return
    try:
        json.loads(args)
    except (ValueError, RecursionError):
        out.add(line, f"{path}.arguments", "tool_arguments_not_json", "'arguments' is not valid JSON")


def _check_content(m: dict[str, Any], path: str, role: str, has_call: bool, line: int, out: ChunkResult) -> None:
    content = m.get("content")
    if isinstance(content, str):
        if content or has_call:
            return
        out.add(line, f"{path}.content", "missing_content", "empty 'content'")
        return
    if content is None:
        if has_call and role == "assistant":
            return
        what = "missing" if "content" not in m else "null"
        out.add(line, f"{path}.content", "missing_content", f"'content' is {what}")
        return
    if isinstance(content, list):
        if not content:
            if not has_call:
                out.add(line, f"{path}.content", "missing_content", "'content' is an empty list")
            return
        for k, part in enumerate(content):
            ppath = f"{path}.content[{k}]"
            if not isinstance(part, dict):
                out.add(line, ppath, "invalid_type", f"content part is {_type_name(part)}, not an object")
            elif part.get("type") == "text":
                if not isinstance(part.get("text"), str):
                    out.add(line, f"{ppath}.text", "invalid_type", "text part without a string 'text'")
            elif part.get("type") == "image_url":
                if role != "user":
                    out.add(line, ppath, "invalid_type", "images are allowed only in user messages")
            else:
                out.add(line, f"{ppath}.type", "invalid_type", 'content part \'type\' is not "text" or "image_url"')
        return
    out.add(line, f"{path}.content", "invalid_type", f"'content' is {_type_name(content)}, not a string")


def _check_tools(tools: Any, path: str, line: int, out: ChunkResult) -> None:
    if not isinstance(tools, list):
        out.add(line, path, "invalid_tools", f"'tools' is {_type_name(tools)}, not a list")
        return
    for j, tool in enumerate(tools):
        tpath = f"{path}[{j}]"
        if not isinstance(tool, dict) or tool.get("type") != "function":
            out.add(line, tpath, "invalid_tools", 'tool is not an object with "type": "function"')
            continue
        fn = tool.get("function")
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn.get("name"):
            out.add(line, f"{tpath}.function", "invalid_tools", "tool without a 'function' object with a 'name'")


def _check_parallel(obj: dict[str, Any], path: str, line: int, out: ChunkResult) -> None:
    key = path.rsplit(".", 1)[-1]
    if key in obj and not isinstance(obj[key], bool):
        out.add(line, path, "invalid_type", f"'{key}' is {_type_name(obj[key])}, not true or false")


def _check_conversation(seen: _Seen, line: int, out: ChunkResult, path: str) -> None:
    roles = seen.roles
    if "assistant" not in roles:
        out.add(line, path, "no_assistant_message", "no assistant message")
    elif seen.assistant_weights and not any(seen.assistant_weights):
        out.add(line, path, "all_weights_zero", "every assistant message has weight 0: nothing is trained")
    if "system" not in roles:
        out.add(line, path, "no_system_message", "no system message")
    if "user" not in roles:
        out.add(line, path, "no_user_message", "no user message")
