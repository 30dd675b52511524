"""The first view's inputs taken from the bundled sample dataset, kept on disk between dashboard starts.

The dashboard opens with the training volume and prompt shape of ``data/sample/recipes.jsonl``
(:func:`costmodel.present.inputs.defaults_from`). Computing them means tokenising the sample: loading the
vocabulary, building the encoder, importing numpy: about 0.8 s of every cold start, for five
numbers that only change when the sample, the bundled data or costmodel's code change. So the five
numbers are written to ``$COSTMODEL_CACHE_DIR/dashboard`` (default: the user cache directory, as
the parsed vocabulary cache) under a key that is the sha256 of

* the sample's bytes and the model it is tokenised for,
* every bundled CSV file (the model registry gives the context limit, the catalogue the epochs),
* every ``.py`` file of the installed ``costmodel`` package (the analyser and ``defaults_from``),

so any change to one of them recomputes them (a cache hit can never give other numbers than a
fresh analysis would). A cache that cannot be read is recomputed; one that cannot be written only
costs the next start the analysis. Nothing but these numbers is written.

The very first start after an install has no cache yet. For it the numbers ship beside the sample,
in ``data/sample/recipes.defaults.json``, keyed by the sample, the model and the bundled CSVs (not
the code: a test, ``tests/test_dashboard_cold_start.py``, recomputes them and fails when they differ,
naming the command that rewrites the file: ``python -m costmodel.ui.startup_cache``). A file whose
key does not match (an edited sample or CSV) is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from costmodel._cache import CACHE_ENV, cache_root

__all__ = ["CACHE_ENV", "FIELDS", "bundled_key", "bundled_path", "cache_dir", "fingerprint", "sample_defaults"]

FIELDS = ("training_tokens", "epochs", "few_shot_tokens", "input_tokens", "output_tokens")
_FORMAT = 1


def cache_dir() -> Path:
    """``$COSTMODEL_CACHE_DIR/dashboard``, or the user cache directory's ``costmodel/dashboard``."""
    return cache_root() / "dashboard"


def _inputs_of_the_key(data_dir: Path) -> list[Path]:
    package = Path(__file__).resolve().parent.parent  # costmodel/
    return sorted(package.rglob("*.py")) + sorted(data_dir.glob("*.csv"))


def _key(header: str, sample: bytes, model: str, files: list[Path]) -> str:
    h = hashlib.sha256(f"{header} {_FORMAT}\n{model}\n".encode())
    h.update(hashlib.sha256(sample).digest())
    for path in files:
        h.update(path.name.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def fingerprint(sample: bytes, model: str, data_dir: Path) -> str:
    """The cache key: sha256 over the sample, the model, the bundled CSVs and costmodel's source."""
    return _key("costmodel sample defaults", sample, model, _inputs_of_the_key(data_dir))


def bundled_path(sample_path: Path) -> Path:
    """The shipped numbers of ``sample_path``: ``<stem>.defaults.json`` beside it."""
    return sample_path.with_name(f"{sample_path.stem}.defaults.json")


def bundled_key(sample: bytes, model: str, data_dir: Path) -> str:
    """The shipped file's key: sha256 over the sample, the model and the bundled CSVs (not the code)."""
    return _key("costmodel bundled sample defaults", sample, model, sorted(data_dir.glob("*.csv")))


def _read(path: Path, key: str) -> dict[str, int] | None:
    try:
        return _valid(json.loads(path.read_text(encoding="utf-8")), key)
    except (OSError, ValueError):
        return None


def _valid(stored: object, key: str) -> dict[str, int] | None:
    if not isinstance(stored, Mapping) or stored.get("key") != key:
        return None
    fields = stored.get("fields")
    if not isinstance(fields, Mapping) or set(fields) != set(FIELDS):
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in fields.values()):
        return None
    return {k: int(fields[k]) for k in FIELDS}


def sample_defaults(
    sample_path: Path,
    model: str,
    compute: Callable[[], Mapping[str, int]],
    *,
    data_dir: Path,
    directory: Path | None = None,
) -> dict[str, int]:
    """The :data:`FIELDS` of the first view: from the cache when its key matches, else ``compute()``.

    ``compute`` analyses the sample (and raises what the analysis raises, e.g. for a missing sample:
    a sample that cannot be read is never looked up).
    """
    try:
        sample = sample_path.read_bytes()
        shipped = _read(bundled_path(sample_path), bundled_key(sample, model, data_dir))
        if shipped is not None:
            return shipped
        key = fingerprint(sample, model, data_dir)
    except OSError:
        return {k: int(v) for k, v in compute().items()}
    where = (directory or cache_dir()) / f"sample-defaults-{key[:24]}.json"
    cached = _read(where, key)
    if cached is not None:
        return cached
    fields = {k: int(v) for k, v in compute().items()}
    if set(fields) != set(FIELDS):
        raise ValueError(f"sample defaults must give {FIELDS}, got {sorted(fields)}")
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=where.parent, delete=False, suffix=".tmp") as f:
            json.dump({"key": key, "fields": fields}, f)
        os.replace(f.name, where)  # atomic: a concurrent start reads the old file or the new one
    except OSError:
        pass  # not cached: the next start analyses the sample again
    return fields


def write_bundled(sample_path: Path, model: str, fields: Mapping[str, int], data_dir: Path) -> Path:
    """Write the shipped numbers of ``sample_path`` for ``model`` (see the module docstring)."""
    if set(fields) != set(FIELDS):
        raise ValueError(f"sample defaults must give {FIELDS}, got {sorted(fields)}")
    target = bundled_path(sample_path)
    key = bundled_key(sample_path.read_bytes(), model, data_dir)
    stored = {"key": key, "model": model, "fields": {k: int(fields[k]) for k in FIELDS}}
    target.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    return target


def main() -> int:
    """``python -m costmodel.ui.startup_cache``: recompute the sample's first-view numbers and write
    them beside it (after a change to the sample, the bundled CSVs or the analysis)."""
    from costmodel.prices import DATA_DIR
    from costmodel.ui import state

    model, fields = state.sample_fields()
    target = write_bundled(state.SAMPLE_PATH, model, fields, DATA_DIR)
    print(f"{target}: {model}: {fields}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
