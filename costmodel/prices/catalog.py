"""The dated, sourced price catalogue: as-of lookups, user overrides, and the bundled files.

:meth:`Catalog.lookup` takes an "as of" date and returns exactly one row, or raises
:class:`~costmodel.errors.PriceLookupError` naming the rows it saw.

The bundled files are ``data/prices.csv``, ``data/models.csv`` and ``data/aliases.csv`` (what a
moving name such as ``gpt-4o`` named on each day) at the top of the project,
installed as the package ``costmodel._data`` (:data:`DATA_DIR`, found by ``importlib.resources``).
A user catalogue in the same CSV format overrides the bundled one with
:meth:`Catalog.overridden_by`: a user row replaces the part of every bundled row with the same
key whose window it overlaps.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from costmodel._bundled import data_dir
from costmodel.errors import CatalogError, PriceLookupError, UnknownModelError
from costmodel.prices.csvfiles import _read, parse_aliases_csv, parse_models_csv, parse_price_csv
from costmodel.prices.lifecycle import Lifecycle, build_lifecycle, parse_lifecycle_csv
from costmodel.prices.rows import (
    TIERS,
    DatedAlias,
    Kind,
    ModelInfo,
    PriceKey,
    PriceRow,
    Provider,
    Variant,
    _enum,
    _provider,
)

__all__ = ["DATA_DIR", "Catalog", "bundled_catalog", "find_overlaps", "load_catalog"]

DATA_DIR = data_dir()
"""The bundled data files: the repository's ``data/``, installed as ``costmodel._data``."""


def find_overlaps(rows: Sequence[PriceRow]) -> list[tuple[PriceRow, PriceRow]]:
    """Pairs of rows with the same key whose windows overlap."""
    by_key: dict[PriceKey, list[PriceRow]] = {}
    for r in rows:
        by_key.setdefault(r.key, []).append(r)
    clashes: list[tuple[PriceRow, PriceRow]] = []
    for group in by_key.values():
        group = sorted(group, key=lambda r: r.effective_from)
        for a, b in itertools.pairwise(group):
            if a.effective_to is None or b.effective_from < a.effective_to:
                clashes.append((a, b))
    return clashes


class Catalog:
    """An immutable set of price rows plus the model registry, with as-of lookups."""

    def __init__(
        self,
        rows: Iterable[PriceRow],
        models: Iterable[ModelInfo] = (),
        lifecycle: Lifecycle | None = None,
        aliases: Iterable[DatedAlias] = (),
    ) -> None:
        self._rows: tuple[PriceRow, ...] = tuple(rows)
        self._models: tuple[ModelInfo, ...] = tuple(models)
        self._lifecycle = lifecycle if lifecycle is not None else Lifecycle()
        self._dated_aliases: tuple[DatedAlias, ...] = tuple(aliases)
        clashes = find_overlaps(self._rows)
        if clashes:
            a, b = clashes[0]
            raise CatalogError(
                f"two rows for {a.key} overlap: {a.window()} ({a.origin} line {a.line}) "
                f"and {b.window()} ({b.origin} line {b.line})",
                source=b.origin,
                line=b.line,
                field="effective_from",
                hint="close the older row with effective_to on the day the newer one starts",
            )
        self._by_key: dict[PriceKey, list[PriceRow]] = {}
        for r in self._rows:
            self._by_key.setdefault(r.key, []).append(r)
        self._alias: dict[tuple[Provider, str], str] = {}
        for m in self._models:
            for name in (m.model, *m.aliases):
                taken = self._alias.get((m.provider, name.lower()))
                if taken is not None and taken != m.model:
                    raise CatalogError(
                        f"{m.provider} name '{name}' is given to two models: {taken} and {m.model}",
                        source="models.csv",
                        field="aliases",
                        hint="a name (model or alias) may belong to one model per provider",
                    )
                self._alias[(m.provider, name.lower())] = m.model
        self._dated: dict[tuple[Provider, str, Variant], list[DatedAlias]] = {}
        for dated in sorted(self._dated_aliases, key=lambda d: d.effective_from):
            self._check_dated_alias(dated)
            self._dated.setdefault((dated.provider, dated.alias.lower(), dated.variant), []).append(dated)

    def _check_dated_alias(self, a: DatedAlias) -> None:
        """A dated alias names a registry model, is not itself a model, never overlaps its own
        history, and its open-ended row agrees with the registry's (undated) alias."""

        def fail(message: str, field: str, hint: str) -> CatalogError:
            return CatalogError(message, source=a.origin, line=a.line, field=field, hint=hint)

        target = self._alias.get((a.provider, a.model.lower()))
        if target is None or target != a.model:
            raise fail(
                f"{a.provider} model '{a.model}' is not in the model registry",
                "model",
                "write a snapshot name of data/models.csv (not an alias)",
            )
        current = self._alias.get((a.provider, a.alias.lower()))
        if current is not None and current.lower() == a.alias.lower():
            raise fail(f"'{a.alias}' is a model's own name, not an alias", "alias", "write the moving name")
        if a.effective_to is None and current is not None and current != a.model:
            raise fail(
                f"'{a.alias}' names {a.model} from {a.effective_from} on, but data/models.csv gives it to {current}",
                "model",
                "make the open-ended row name the model whose aliases column lists it (or close the row)",
            )
        for b in self._dated.get((a.provider, a.alias.lower(), a.variant), []):
            if b.effective_to is None or a.effective_from < b.effective_to:
                raise fail(
                    f"'{a.alias}' has two snapshots at once: {b.window()} ({b.where()}) and {a.window()}",
                    "effective_from",
                    "close the older row with effective_to on the day the alias moved",
                )

    # -- loading ---------------------------------------------------------------------------
    @classmethod
    def from_files(cls, prices: Path, models: Path | None = None, aliases: Path | None = None) -> Catalog:
        rows = parse_price_csv(_read(prices), origin=prices.name)
        infos = parse_models_csv(_read(models), origin=models.name) if models else []
        dated = parse_aliases_csv(_read(aliases), origin=aliases.name) if aliases else []
        return cls(rows, infos, aliases=dated)

    def overridden_by(self, user_rows: Sequence[PriceRow]) -> Catalog:
        """A new catalogue where ``user_rows`` win over this one's rows where windows overlap.

        A bundled row partly covered by a user row is cut to the days the user row leaves free,
        so a negotiated discount from 2025-01-01 keeps the bundled history before that day.
        """
        user_rows = [self._canonical_row(u) for u in user_rows]
        clashes = find_overlaps(user_rows)
        if clashes:
            a, b = clashes[0]
            raise CatalogError(
                f"two rows for {a.key} overlap: {a.window()} (line {a.line}) and {b.window()} (line {b.line})",
                source=b.origin,
                line=b.line,
                field="effective_from",
                hint="close the older row with effective_to on the day the newer one starts",
            )
        kept: list[PriceRow] = []
        for row in self._rows:
            pieces = [row]
            for u in user_rows:
                if u.key != row.key:
                    continue
                next_pieces: list[PriceRow] = []
                for p in pieces:
                    next_pieces.extend(_subtract(p, u))
                pieces = next_pieces
            kept.extend(pieces)
        return Catalog([*kept, *user_rows], self._models, self._lifecycle, self._dated_aliases)

    def with_lifecycle(self, lifecycle: Lifecycle) -> Catalog:
        """The same prices and registry with ``lifecycle`` (see :mod:`costmodel.prices.lifecycle`)."""
        return Catalog(self._rows, self._models, lifecycle, self._dated_aliases)

    def _canonical_row(self, row: PriceRow) -> PriceRow:
        """``row`` with its model written as the registry's canonical name (aliases resolved, a moving
        name as of the row's first day)."""
        name = self._alias.get((row.provider, row.model.strip().lower()))
        dated = self.dated_alias(row.provider, row.model, row.effective_from, row.variant)
        if dated is not None:
            name = dated.model
        return row if name is None or name == row.model else row.model_copy(update={"model": name})

    # -- queries ---------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[PriceRow, ...]:
        return self._rows

    @property
    def models(self) -> tuple[ModelInfo, ...]:
        return self._models

    @property
    def dated_aliases(self) -> tuple[DatedAlias, ...]:
        """The history of the moving names (``data/aliases.csv``)."""
        return self._dated_aliases

    @property
    def lifecycle(self) -> Lifecycle:
        """The lifecycle rows (empty when none were loaded: every path's lifecycle is then unknown)."""
        return self._lifecycle

    def dated_alias(
        self, provider: Provider | str, name: str, as_of: date, variant: Variant | str = Variant.BASE
    ) -> DatedAlias | None:
        """The row saying which snapshot the moving name ``name`` named on ``as_of`` for ``variant``, if any."""
        key = (_provider(provider), name.strip().lower(), _enum(Variant, variant, "variant"))
        for a in self._dated.get(key, ()):
            if a.in_force(as_of):
                return a
        return None

    def canonical_model(
        self, provider: Provider | str, model: str, as_of: date | None = None, variant: Variant | str = Variant.BASE
    ) -> str:
        """The catalogue's spelling of ``model`` (resolving aliases); raises if unknown.

        With ``as_of``, a moving name resolves to the snapshot it named on that day for ``variant``
        (``data/aliases.csv``: requests to ``gpt-4o`` went to gpt-4o-2024-05-13 until 2024-10-02);
        without, or on a day no dated row covers, to the registry's current snapshot.
        """
        provider = _provider(provider)
        dated = self.dated_alias(provider, model, as_of, variant) if as_of is not None else None
        if dated is not None:
            return dated.model
        name = self._alias.get((provider, model.strip().lower()))
        if name is not None:
            return name
        if any(r.provider == provider and r.model == model for r in self._rows):
            return model
        known = sorted({r.model for r in self._rows if r.provider == provider})
        raise UnknownModelError(
            f"unknown {provider} model '{model}'",
            field="model",
            hint="use one of " + ", ".join(known),
        )

    def model_info(self, provider: Provider | str, model: str) -> ModelInfo:
        canonical = self.canonical_model(provider, model)
        for m in self._models:
            if m.provider == _provider(provider) and m.model == canonical:
                return m
        raise UnknownModelError(
            f"no registry entry for {provider} model '{model}' (tokenizer and training context unknown)",
            field="model",
            hint="add it to data/models.csv",
        )

    def find_model_info(self, model: str) -> ModelInfo:
        """Registry entry for a model name under any provider (OpenAI first)."""
        for provider in Provider:
            try:
                return self.model_info(provider, model)
            except UnknownModelError:
                continue
        raise UnknownModelError(
            f"unknown model '{model}'",
            field="model",
            hint="use one of " + ", ".join(sorted({m.model for m in self._models})),
        )

    def lookup(
        self,
        provider: Provider | str,
        model: str,
        variant: Variant | str,
        kind: Kind | str,
        tier: str,
        as_of: date,
    ) -> PriceRow:
        """The one row in force on ``as_of``. Raises :class:`PriceLookupError` otherwise."""
        provider = _provider(provider)
        canonical = self.canonical_model(provider, model, as_of, variant)
        tier = tier.strip().lower()
        if tier not in TIERS[provider]:
            raise PriceLookupError(
                f"tier '{tier}' is not a {provider} tier",
                field="tier",
                hint="use one of " + ", ".join(TIERS[provider]),
            )
        key = PriceKey(provider, canonical, _enum(Variant, variant, "variant"), _enum(Kind, kind, "kind"), tier)
        candidates = self._by_key.get(key, [])
        hits = [r for r in candidates if r.in_force(as_of)]
        if len(hits) == 1:
            return hits[0]
        related = [
            r for r in self._rows if r.provider == provider and r.model == canonical and r.variant == key.variant
        ]
        seen = "; ".join(r.describe() for r in sorted(related, key=lambda r: (r.kind, r.tier, r.effective_from)))
        if not hits:
            raise PriceLookupError(
                f"no {key.kind} price for {provider} {canonical} ({key.variant}, tier {tier}) on {as_of}. "
                f"Rows seen: {seen or 'none'}",
                field="as_of",
                hint="pick a date inside one of these windows, another tier, or add a row in a catalogue file",
            )
        raise PriceLookupError(  # pragma: no cover - prevented by the overlap check
            f"{len(hits)} rows match {key} on {as_of}: " + "; ".join(r.describe() for r in hits),
            hint="close one of the rows with effective_to",
        )

    def maybe_lookup(
        self,
        provider: Provider | str,
        model: str,
        variant: Variant | str,
        kind: Kind | str,
        tier: str,
        as_of: date,
    ) -> PriceRow | None:
        """Like :meth:`lookup` but ``None`` when no row is in force (unknown models still raise)."""
        prov = _provider(provider)
        if tier in TIERS[prov]:
            key = PriceKey(
                prov,
                self.canonical_model(prov, model, as_of, variant),
                _enum(Variant, variant, "variant"),
                _enum(Kind, kind, "kind"),
                tier,
            )
            hits = [r for r in self._by_key.get(key, ()) if r.in_force(as_of)]
            if len(hits) == 1:
                return hits[0]
            if not hits:
                return None  # fast path: no error message built for an expected miss
        try:
            return self.lookup(provider, model, variant, kind, tier, as_of)
        except PriceLookupError:
            return None

    def in_force(
        self, as_of: date, *, provider: Provider | str | None = None, model: str | None = None
    ) -> list[PriceRow]:
        """The rows in force on ``as_of``, optionally for one provider and/or one model (aliases resolved).

        A model name no provider knows raises :class:`UnknownModelError` (no silent empty list).
        """
        prov = _provider(provider) if provider else None
        names: set[tuple[Provider, Variant, str]] | None = None
        if model:
            names = set()
            for p in [prov] if prov else list(Provider):
                try:
                    names.update((p, v, self.canonical_model(p, model, as_of, v)) for v in Variant)
                except UnknownModelError:
                    if prov is not None:
                        raise
            if not names:
                raise UnknownModelError(
                    f"unknown model '{model}'",
                    field="model",
                    hint="use one of " + ", ".join(sorted({r.model for r in self._rows})),
                )
        out = [
            r
            for r in self._rows
            if r.in_force(as_of)
            and (prov is None or r.provider == prov)
            and (names is None or (r.provider, r.variant, r.model) in names)
        ]
        return sorted(out, key=lambda r: (r.provider, r.model, r.variant, r.kind, r.tier))

    def __iter__(self) -> Iterator[PriceRow]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _subtract(row: PriceRow, cut: PriceRow) -> list[PriceRow]:
    """The parts of ``row``'s window that ``cut`` does not cover."""
    r_end = row.effective_to or date.max
    c_end = cut.effective_to or date.max
    if c_end <= row.effective_from or r_end <= cut.effective_from:
        return [row]
    parts: list[PriceRow] = []
    if row.effective_from < cut.effective_from:
        parts.append(row.model_copy(update={"effective_to": cut.effective_from}))
    if c_end < r_end:
        parts.append(row.model_copy(update={"effective_from": c_end}))
    return parts


@functools.cache
def bundled_catalog() -> Catalog:
    """The catalogue shipped in ``data/`` (read on first use, never at import; then cached)."""
    catalog = Catalog.from_files(DATA_DIR / "prices.csv", DATA_DIR / "models.csv", DATA_DIR / "aliases.csv")
    path = DATA_DIR / "lifecycle.csv"
    return catalog.with_lifecycle(build_lifecycle(parse_lifecycle_csv(_read(path), origin=path.name), catalog))


def load_catalog(user_file: Path | None = None, lifecycle_file: Path | None = None) -> Catalog:
    """The bundled catalogue, overridden by ``user_file`` (prices) and ``lifecycle_file`` when given."""
    catalog = bundled_catalog()
    if user_file is not None:
        catalog = catalog.overridden_by(parse_price_csv(_read(user_file), origin=str(user_file)))
    if lifecycle_file is not None:
        rows = parse_lifecycle_csv(_read(lifecycle_file), origin=str(lifecycle_file))
        catalog = catalog.with_lifecycle(build_lifecycle(rows, catalog, base=catalog.lifecycle))
    return catalog
