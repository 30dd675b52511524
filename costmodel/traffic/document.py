"""The traffic file ``costmodel traffic import`` writes, and reading it back for replay.

The YAML has two top-level keys:

* ``traffic:`` the scenario's traffic section (``requests_per_day``, ``input_tokens_per_request``,
  ``output_tokens_per_request``, ``cached_share``): paste it into a scenario as it is;
* ``traffic_profile:`` what the log showed: the distributions (mean, p50, p95, max), the hourly
  shares and peak-to-average factor, the date range, skipped records, and up to 1,000 sampled
  ``[input, output]`` pairs that ``costmodel bench --traffic FILE`` replays.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from costmodel.errors import ScenarioError
from costmodel.traffic.profile import TrafficProfile

__all__ = ["ReplayWorkload", "document", "load_replay", "to_yaml"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def document(profile: TrafficProfile) -> dict[str, Any]:
    """``{"traffic": ..., "traffic_profile": ...}`` with plain numbers (YAML/JSON ready)."""
    p = profile.model_dump(mode="python")
    p["hourly_share"] = [round(h, 6) for h in profile.hourly_share] if profile.hourly_share else None
    p["peak_to_average"] = round(profile.peak_to_average, 4) if profile.peak_to_average is not None else None
    p["samples"] = [list(s) for s in profile.samples]
    return {"traffic": _plain(profile.traffic_section()), "traffic_profile": _plain(p)}


def to_yaml(profile: TrafficProfile) -> str:
    import yaml

    doc = document(profile)
    head = (
        f"# traffic imported by costmodel from {profile.source} ({profile.format}): {profile.requests} requests"
        + (f" over {profile.days} UTC day(s)" if profile.days else "")
        + (f", {profile.skipped} malformed record(s) skipped" if profile.skipped else "")
        + "\n# 'traffic' is a scenario's traffic section; 'traffic_profile' is what bench --traffic replays\n"
    )
    traffic = yaml.safe_dump({"traffic": doc["traffic"]}, sort_keys=False)
    samples = doc["traffic_profile"].pop("samples")
    rest = yaml.safe_dump({"traffic_profile": doc["traffic_profile"]}, sort_keys=False, width=120)
    sample_text = "  samples: [" + ", ".join(f"[{a}, {b}]" for a, b in samples) + "]\n"
    return head + traffic + rest + sample_text


class ReplayWorkload:
    """Token lengths and an arrival rate read back from a traffic file."""

    def __init__(self, pairs: list[tuple[int, int]], peak_rate_rps: float | None, source: str) -> None:
        self.pairs = pairs
        self.peak_rate_rps = peak_rate_rps
        self.source = source


def load_replay(path: Path) -> ReplayWorkload:
    """Read ``traffic_profile`` from a file written by ``costmodel traffic import``."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read the traffic file: {exc.strerror or exc}", source=str(path)) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"not valid YAML: {exc}".splitlines()[0], source=str(path)) from None
    hint = "write it with 'costmodel traffic import LOG --output FILE'"
    prof = data.get("traffic_profile") if isinstance(data, dict) else None
    if not isinstance(prof, dict):
        raise ScenarioError("no traffic_profile section", source=str(path), field="traffic_profile", hint=hint)
    raw = prof.get("samples")
    if not isinstance(raw, list) or not raw:
        raise ScenarioError(
            "traffic_profile has no samples", source=str(path), field="traffic_profile.samples", hint=hint
        )
    pairs: list[tuple[int, int]] = []
    for i, s in enumerate(raw):
        if not (isinstance(s, list) and len(s) == 2 and all(isinstance(v, int) and v >= 0 for v in s)):
            raise ScenarioError(
                f"sample {i} is not [input_tokens, output_tokens]",
                source=str(path),
                field="traffic_profile.samples",
                hint=hint,
            )
        pairs.append((s[0], s[1]))
    rpd = prof.get("requests_per_day")
    hourly = prof.get("hourly_share")
    peak = None
    if isinstance(rpd, int | float) and isinstance(hourly, list) and hourly:
        peak = float(rpd) * max(float(h) for h in hourly) / 3600
    return ReplayWorkload(pairs, peak, str(path))
