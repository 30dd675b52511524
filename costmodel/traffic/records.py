"""Usage records from each supported log format (pure: one parsed JSON object or CSV row in).

One :class:`UsageRecord` per request: when it started (UTC epoch seconds, or ``None`` when the
format has no time), input tokens (cached ones included, as the APIs count them), the cached part
of the input, and output tokens. A value that is present but unusable raises :class:`RecordError`
with the field; the reader reports it with the line number and skips the record.

Formats (``--format``, or ``auto``: recognised per line from its keys):

``openai``
    A chat completion response per line (``created``, ``usage.prompt_tokens``,
    ``usage.completion_tokens``, ``usage.prompt_tokens_details.cached_tokens``), e.g. your own
    request log; also Responses API objects (``created_at``, ``usage.input_tokens``,
    ``usage.output_tokens``, ``usage.input_tokens_details.cached_tokens``).
``openai-batch``
    A Batch API output file: ``{"custom_id", "response": {"status_code", "body": <completion>}}``.
    Lines whose request failed (``error`` set or a non-2xx status) are skipped and counted.
``openai-usage``
    The Usage API's completions buckets (``{"object": "bucket", "start_time", "results": [{
    "input_tokens", "input_cached_tokens", "output_tokens", "num_model_requests"}]}``, or a page
    ``{"object": "page", "data": [buckets]}``): aggregated, so each bucket gives
    ``num_model_requests`` requests at the bucket's mean sizes (percentiles are then percentiles of
    bucket means: said in the profile's ``notes``).
``otel``
    OpenTelemetry GenAI spans as JSON lines: OTLP/JSON (``resourceSpans[].scopeSpans[].spans[]``
    with ``attributes: [{"key", "value": {"intValue"}}]`` and ``startTimeUnixNano``) or one flat
    span per line (``attributes: {"gen_ai.usage.input_tokens": ...}``, ``start_time``). Tokens from
    ``gen_ai.usage.input_tokens`` / ``gen_ai.usage.output_tokens``, cached from
    ``gen_ai.usage.cache_read.input_tokens``. Spans without ``gen_ai.usage`` are not requests
    (skipped silently: they are the other spans of a trace).
``litellm``
    A LiteLLM spend log (``LiteLLM_SpendLogs`` rows or standard logging payloads as JSON lines):
    ``startTime`` (ISO or epoch), ``prompt_tokens``, ``completion_tokens``, cached from
    ``cache_read_input_tokens`` or ``metadata.usage_object.prompt_tokens_details.cached_tokens``.
``csv``
    A header row, then one request per row. Columns: ``timestamp`` (ISO 8601 or epoch seconds;
    also ``time``, ``start_time``, ``created``), ``input_tokens`` (or ``prompt_tokens``),
    ``output_tokens`` (or ``completion_tokens``), optional ``cached_tokens`` (or
    ``cached_input_tokens``), optional ``requests`` (a row standing for that many requests).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["FORMATS", "RecordError", "UsageRecord", "records_from_csv_row", "records_from_json"]

FORMATS = ("auto", "openai", "openai-batch", "openai-usage", "otel", "litellm", "csv")


class RecordError(ValueError):
    """A record that cannot be used; ``field`` names the offending key."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class UsageRecord:
    ts: float | None  # UTC epoch seconds of the request's start
    input_tokens: int
    cached_tokens: int
    output_tokens: int
    weight: int = 1  # how many requests this record stands for (Usage API buckets, CSV 'requests')


class NotARequest(Exception):
    """The object is valid but is not a request (a non-GenAI span, a failed batch line)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _int(value: Any, field: str, *, required: bool = True) -> int:
    if value is None:
        if required:
            raise RecordError(f"missing {field}", field)
        return 0
    if isinstance(value, bool):
        raise RecordError(f"{field} is not a number: {value!r}", field)
    if isinstance(value, int):
        n = value
    elif isinstance(value, float) and value.is_integer():
        n = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        n = int(value.strip())
    else:
        raise RecordError(f"{field} is not a whole number: {value!r}", field)
    if n < 0:
        raise RecordError(f"{field} is negative: {n}", field)
    return n


def _ts(value: Any, field: str) -> float | None:
    """Epoch seconds (or ms / ns when the number is too large for seconds) or ISO 8601."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordError(f"{field} is not a time: {value!r}", field)
    if isinstance(value, str):
        s = value.strip()
        try:
            value = float(s)
        except ValueError:
            try:
                dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
            except ValueError:
                raise RecordError(f"{field} is not a time (ISO 8601 or epoch seconds): {value!r}", field) from None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            return dt.timestamp()
    if isinstance(value, int | float):
        v = float(value)
        if v > 1e17:  # nanoseconds
            return v / 1e9
        if v > 1e14:  # microseconds
            return v / 1e6
        if v > 1e11:  # milliseconds
            return v / 1e3
        return v
    raise RecordError(f"{field} is not a time: {value!r}", field)


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _completion(body: Mapping[str, Any], prefix: str) -> UsageRecord:
    usage = body.get("usage")
    if not isinstance(usage, Mapping):
        raise RecordError(f"no {prefix}usage object", f"{prefix}usage")
    if "prompt_tokens" in usage or "completion_tokens" in usage:  # Chat Completions
        inp = _int(usage.get("prompt_tokens"), f"{prefix}usage.prompt_tokens")
        out = _int(usage.get("completion_tokens"), f"{prefix}usage.completion_tokens")
        cached = _int(
            _get(usage, "prompt_tokens_details", "cached_tokens"),
            f"{prefix}usage.prompt_tokens_details.cached_tokens",
            required=False,
        )
        ts = _ts(body.get("created"), f"{prefix}created")
    else:  # Responses API
        inp = _int(usage.get("input_tokens"), f"{prefix}usage.input_tokens")
        out = _int(usage.get("output_tokens"), f"{prefix}usage.output_tokens")
        cached = _int(
            _get(usage, "input_tokens_details", "cached_tokens"),
            f"{prefix}usage.input_tokens_details.cached_tokens",
            required=False,
        )
        ts = _ts(body.get("created_at", body.get("created")), f"{prefix}created_at")
    return _checked(ts, inp, cached, out, f"{prefix}usage")


def _checked(ts: float | None, inp: int, cached: int, out: int, field: str, weight: int = 1) -> UsageRecord:
    if cached > inp:
        raise RecordError(f"cached tokens ({cached}) exceed input tokens ({inp})", field)
    return UsageRecord(ts=ts, input_tokens=inp, cached_tokens=cached, output_tokens=out, weight=weight)


def _batch(obj: Mapping[str, Any]) -> Iterator[UsageRecord]:
    if obj.get("error"):
        raise NotARequest("failed batch request")
    response = obj.get("response")
    if not isinstance(response, Mapping):
        raise RecordError("no response object", "response")
    status = response.get("status_code")
    if isinstance(status, int) and not 200 <= status < 300:
        raise NotARequest(f"batch request with status {status}")
    body = response.get("body")
    if not isinstance(body, Mapping):
        raise RecordError("no response.body object", "response.body")
    yield _completion(body, "response.body.")


def _buckets(obj: Mapping[str, Any]) -> Iterator[UsageRecord]:
    buckets = obj.get("data") if obj.get("object") == "page" else [obj]
    if not isinstance(buckets, list):
        raise RecordError("page without a data list", "data")
    for b in buckets:
        if not isinstance(b, Mapping):
            raise RecordError("a bucket is not an object", "data")
        start = _ts(b.get("start_time"), "start_time")
        results = b.get("results")
        if not isinstance(results, list):
            raise RecordError("bucket without a results list", "results")
        for r in results:
            if not isinstance(r, Mapping):
                raise RecordError("a result is not an object", "results")
            n = _int(r.get("num_model_requests"), "num_model_requests")
            if n == 0:
                continue
            inp = _int(r.get("input_tokens"), "input_tokens")
            cached = _int(r.get("input_cached_tokens"), "input_cached_tokens", required=False)
            out = _int(r.get("output_tokens"), "output_tokens")
            yield _checked(start, round(inp / n), round(cached / n), round(out / n), "results", weight=n)


def _otel_value(v: Any) -> Any:
    if isinstance(v, Mapping):
        for k in ("intValue", "doubleValue", "stringValue"):
            if k in v:
                return v[k]
    return v


def _span(span: Mapping[str, Any]) -> UsageRecord:
    attrs_raw = span.get("attributes")
    if isinstance(attrs_raw, list):
        attrs = {a.get("key"): _otel_value(a.get("value")) for a in attrs_raw if isinstance(a, Mapping)}
    elif isinstance(attrs_raw, Mapping):
        attrs = dict(attrs_raw)
    else:
        raise NotARequest("span without attributes")
    if "gen_ai.usage.input_tokens" not in attrs and "gen_ai.usage.output_tokens" not in attrs:
        raise NotARequest("span without gen_ai.usage")
    inp = _int(attrs.get("gen_ai.usage.input_tokens"), "gen_ai.usage.input_tokens")
    out = _int(attrs.get("gen_ai.usage.output_tokens"), "gen_ai.usage.output_tokens")
    cached = _int(
        attrs.get("gen_ai.usage.cache_read.input_tokens"), "gen_ai.usage.cache_read.input_tokens", required=False
    )
    raw_ts = span.get("startTimeUnixNano", span.get("start_time", span.get("startTime")))
    return _checked(_ts(raw_ts, "start_time"), inp, cached, out, "attributes")


def _otlp(obj: Mapping[str, Any]) -> Iterator[UsageRecord]:
    resource_spans = obj.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise RecordError("resourceSpans is not a list", "resourceSpans")
    for rs in resource_spans:
        for ss in (rs.get("scopeSpans") or []) if isinstance(rs, Mapping) else []:
            for span in (ss.get("spans") or []) if isinstance(ss, Mapping) else []:
                if not isinstance(span, Mapping):
                    raise RecordError("a span is not an object", "spans")
                try:
                    yield _span(span)
                except NotARequest:
                    continue


def _litellm(obj: Mapping[str, Any]) -> UsageRecord:
    inp = _int(obj.get("prompt_tokens"), "prompt_tokens")
    out = _int(obj.get("completion_tokens"), "completion_tokens")
    cached_raw = obj.get("cache_read_input_tokens")
    if cached_raw is None:
        meta = obj.get("metadata")
        if isinstance(meta, str):  # SpendLogs rows exported with metadata as a JSON string
            import json

            try:
                meta = json.loads(meta)
            except ValueError:
                meta = None
        if isinstance(meta, Mapping):
            cached_raw = _get(meta, "usage_object", "prompt_tokens_details", "cached_tokens")
    cached = _int(cached_raw, "cache_read_input_tokens", required=False)
    ts = _ts(obj.get("startTime", obj.get("start_time")), "startTime")
    return _checked(ts, inp, cached, out, "prompt_tokens")


def detect(obj: Mapping[str, Any]) -> str:
    """The format of one JSON object (``auto`` mode); ``RecordError`` when none fits."""
    if "resourceSpans" in obj:
        return "otel"
    if "response" in obj and ("custom_id" in obj or "error" in obj):
        return "openai-batch"
    if obj.get("object") in ("bucket", "page") or ("results" in obj and "start_time" in obj):
        return "openai-usage"
    if "usage" in obj:
        return "openai"
    if "prompt_tokens" in obj and ("startTime" in obj or "start_time" in obj or "completion_tokens" in obj):
        return "litellm"
    if "attributes" in obj:
        return "otel"
    raise RecordError(
        "not a usage record in any known format (keys: " + ", ".join(sorted(map(str, obj))[:8]) + ")", None
    )


def records_from_json(obj: Any, fmt: str) -> list[UsageRecord]:
    """The requests in one JSON line (none for a non-request such as a plain span)."""
    if not isinstance(obj, Mapping):
        raise RecordError("the line is not a JSON object")
    kind = detect(obj) if fmt == "auto" else fmt
    try:
        if kind == "openai":
            return [_completion(obj, "")]
        if kind == "openai-batch":
            return list(_batch(obj))
        if kind == "openai-usage":
            return list(_buckets(obj))
        if kind == "otel":
            return list(_otlp(obj)) if "resourceSpans" in obj else [_span(obj)]
        if kind == "litellm":
            return [_litellm(obj)]
    except NotARequest:
        return []
    raise RecordError(f"format {kind} is not a JSON-lines format")


_TS_COLS = ("timestamp", "time", "start_time", "starttime", "created")
_IN_COLS = ("input_tokens", "prompt_tokens")
_OUT_COLS = ("output_tokens", "completion_tokens")
_CACHED_COLS = ("cached_tokens", "cached_input_tokens", "cache_read_input_tokens")


def csv_columns(header: list[str]) -> dict[str, int]:
    """Map the roles (ts, input, output, cached, requests) to column indexes; ``RecordError`` if missing."""
    names = [h.strip().lower() for h in header]

    def find(options: tuple[str, ...]) -> int | None:
        for o in options:
            if o in names:
                return names.index(o)
        return None

    cols = {"ts": find(_TS_COLS), "input": find(_IN_COLS), "output": find(_OUT_COLS)}
    missing = [k for k, v in cols.items() if v is None]
    if missing:
        raise RecordError(
            "the header lacks "
            + ", ".join({"ts": "timestamp", "input": "input_tokens", "output": "output_tokens"}[m] for m in missing),
            "header",
        )
    out = {k: v for k, v in cols.items() if v is not None}
    for role, options in (("cached", _CACHED_COLS), ("requests", ("requests",))):
        idx = find(options)
        if idx is not None:
            out[role] = idx
    return out


def records_from_csv_row(row: list[str], cols: Mapping[str, int]) -> UsageRecord:
    def cell(role: str) -> str | None:
        i = cols.get(role)
        if i is None:
            return None
        if i >= len(row):
            raise RecordError(f"the row has {len(row)} cells, column {i + 1} is missing", role)
        return row[i]

    ts = _ts(cell("ts"), "timestamp")
    inp = _int(cell("input"), "input_tokens")
    out = _int(cell("output"), "output_tokens")
    cached_cell = cell("cached")
    cached = _int(cached_cell or None, "cached_tokens", required=False)
    weight_cell = cell("requests")
    weight = _int(weight_cell, "requests") if weight_cell not in (None, "") else 1
    return _checked(ts, inp, cached, out, "cached_tokens", weight=weight)
