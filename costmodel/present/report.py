"""The procurement report: self-contained HTML and Markdown, line items as CSV, the scenario as JSON.

A :class:`Report` is built from the engine's result and says: the recommendation (one sentence),
the readiness warnings, the assumptions (every scenario input), each path's line items, every
catalogue price used with its source, reliability grade and validity window on the as-of date,
and the charts. The HTML embeds plotly.js inline, so the file opens offline. Figures resting on
an ``unconfirmed`` price are labelled so.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go

from costmodel.engine.breakdown import Breakdown
from costmodel.engine.scenario import ScenarioResult
from costmodel.engine.usage import resolve_prices, training_tier
from costmodel.money import format_usd
from costmodel.present.charts import UNCONFIRMED_NOTE, cost_vs_traffic, cumulative_cost, line_items_bar
from costmodel.present.currency import currency_code, format_money, rate_caption
from costmodel.present.decision import Readiness, Recommendation, describe_path, questions_for
from costmodel.present.inputs import ScenarioInputs
from costmodel.present.numbers import Explained, explain, traffic_note
from costmodel.present.timeline import availability_timeline, timeline_rows
from costmodel.prices import Catalog, Kind, PriceRow, Reliability, Variant
from costmodel.prices.fx import FxRate
from costmodel.units import format_line_quantity

__all__ = [
    "Report",
    "breakdown_rows",
    "explained_html",
    "explained_markdown",
    "line_item_rows",
    "md_table",
    "price_rows",
    "prices_used",
]

_MICRO = Decimal("0.000001")
_ASSUMPTION_LABELS = {
    "paths": "Paths compared",
    "requests_per_day": "Requests per day",
    "input_tokens": "Input tokens per request (short prompt)",
    "output_tokens": "Output tokens per request",
    "cached_pct": "Cached share of input tokens (%)",
    "batch_pct": "Share of requests sent through Batch (%)",
    "horizon_months": "Horizon (months)",
    "hosted_hours": "Hosted hours per month (fine-tuned deployments)",
    "training_tokens": "Billed training tokens (one epoch)",
    "epochs": "Epochs",
    "few_shot_k": "Few-shot examples in a base prompt (k)",
    "few_shot_tokens": "Tokens the k examples add to each base prompt",
}


_TIMELINE_COLUMNS = ["path", "status", "training ends", "serving ends", "months served", "grade", "source"]


def _qty(value: Decimal) -> str:
    """A quantity or amount for the CSV: six decimals at most, no exponent."""
    return f"{value.quantize(_MICRO).normalize():f}"


def breakdown_rows(b: Breakdown, fx: FxRate | None = None) -> list[dict[str, str]]:
    """A breakdown as display rows (money in USD, or in ``fx.currency`` at that rate; quantities in human units)."""
    return [
        {
            "line": i.name,
            "quantity": format_line_quantity(i.quantity, i.quantity_unit),
            "unit price": format_money(i.unit_price, fx, precise=True),
            "cost": format_money(i.cost, fx),
            "reliability": i.reliability.value + (f" ({UNCONFIRMED_NOTE})" if i.reliability == "unconfirmed" else ""),
            "source": i.source_url or "none (unconfirmed)",
            "note": i.note,
        }
        for i in b.items
    ]


def line_item_rows(result: ScenarioResult) -> list[dict[str, str]]:
    """Every line item of every path (monthly and training), for the CSV download."""
    out: list[dict[str, str]] = []
    for c in result.costs:
        parts: list[tuple[str, Breakdown]] = [("monthly", c.monthly)]
        if c.training is not None:
            parts.append(("training (one-off)", c.training))
        for section, b in parts:
            for i in b.items:
                out.append(
                    {
                        "path": c.path.label,
                        "section": section,
                        "line": i.name,
                        "kind": i.kind,
                        "quantity": _qty(i.quantity),
                        "quantity_unit": i.quantity_unit,
                        "unit_price_usd": "" if i.unit_price is None else _qty(i.unit_price),
                        "cost_usd": "" if i.cost is None else _qty(i.cost),
                        "reliability": i.reliability.value,
                        "source_url": i.source_url or "",
                        "note": i.note,
                        "as_of": result.as_of.isoformat(),
                    }
                )
    return out


def prices_used(catalog: Catalog, result: ScenarioResult) -> list[PriceRow]:
    """Every catalogue row the result rests on (serving, batch, hosting and training prices)."""
    seen: dict[tuple[str, date], PriceRow] = {}
    batch = result.scenario.traffic.batch_share > 0
    for c in result.costs:
        if c.path.shape == "selfhosted":
            continue  # priced from gpu_instances.csv: its line items name the instance, price and source
        rows: list[PriceRow | None] = []
        model = c.model
        if c.path.shape == "capacity":
            for kind in (Kind.PTU_HOUR, Kind.GPU_HOUR):
                rows.append(
                    catalog.maybe_lookup(c.path.provider, model, c.path.variant, kind, c.path.tier, result.as_of)
                )
        else:
            prices = resolve_prices(catalog, c.path, result.as_of, need_batch=batch)
            model = prices.model
            rows += [prices.input, prices.output, prices.cached_input, prices.hosting]
            if batch:
                rows += [prices.batch_input, prices.batch_output, prices.batch_cached_input]
        if c.path.fine_tuned:
            rows.append(
                catalog.maybe_lookup(
                    c.path.provider, model, Variant.FINE_TUNED, Kind.STORAGE_MONTH, "standard", result.as_of
                )
            )
        if c.training is not None:
            for kind in (Kind.TRAINING, Kind.TRAINING_HOURLY, Kind.TRAINING_MINIMUM):
                rows.append(
                    catalog.maybe_lookup(
                        c.path.provider, model, Variant.FINE_TUNED, kind, training_tier(c.path), result.as_of
                    )
                )
        for r in rows:
            if r is not None:
                seen.setdefault((str(r.key), r.effective_from), r)
    return sorted(seen.values(), key=lambda r: (r.provider, r.model, r.variant, r.kind, r.tier))


def price_rows(rows: Sequence[PriceRow]) -> list[dict[str, str]]:
    """Catalogue rows for display: amount, unit, window, grade, source."""
    return [
        {
            "provider": r.provider.value,
            "model": r.model,
            "variant": r.variant.value,
            "kind": r.kind.value,
            "tier": r.tier,
            "amount": "no published figure" if r.amount is None else format_usd(r.amount, precise=True),
            "unit": r.unit.value,
            "valid": r.window(),
            "reliability": r.reliability.value,
            "source": r.source_url or "",
            "note": r.note,
            "origin": r.origin,
        }
        for r in rows
    ]


def md_table(rows: Sequence[dict[str, str]], columns: Sequence[str], *, links: bool = False) -> str:
    """A Markdown table; with ``links``, https cells become ``[open](url)`` links."""

    def cell(v: str) -> str:
        if links and v.startswith("https://"):
            return f"[open]({v})"
        return v.replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |\n" for r in rows)


def _html_table(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> str:
    def cell(col: str, v: str) -> str:
        if col in ("source", "source_url") and v.startswith("http"):
            return f'<a href="{html.escape(v)}">{html.escape(v)}</a>'
        cls = ' class="unconfirmed"' if col == "reliability" and v.startswith("unconfirmed") else ""
        return f"<span{cls}>{html.escape(v)}</span>"

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell(c, r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.85em}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}.unconfirmed{color:#b00;font-weight:bold}
.rec{font-size:1.15em;background:#eef6ee;border-left:4px solid #2a2;padding:.6em 1em}.warn{background:#fff6e5;
border-left:4px solid #e90;padding:.4em 1em;margin:.3em 0}.block{border-left-color:#c00}
"""


class Report:
    """Everything a procurement review needs about one scenario (see the module docstring)."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        inputs: ScenarioInputs,
        result: ScenarioResult,
        readiness: Readiness,
        recommendation: Recommendation,
        catalog_name: str = "bundled data/prices.csv",
        generated_on: date,
        fx: FxRate | None = None,
    ) -> None:
        self.inputs = inputs
        self.result = result
        self.readiness = readiness
        self.recommendation = recommendation
        self.catalog_name = catalog_name
        self.generated_on = generated_on
        self.prices = prices_used(catalog, result)
        self.fx = fx
        self.explained = explain(result, fx)

    def _context(self) -> str:
        """As-of date, horizon and currency: carried by every heading."""
        return (
            f"prices as of {self.result.as_of.isoformat()}, {self.result.scenario.horizon_months}-month horizon, "
            f"{currency_code(self.fx)}"
        )

    def _h(self, title: str) -> str:
        return f"{title} ({self._context()})"

    # -- parts ---------------------------------------------------------------------------------
    def assumptions(self) -> list[dict[str, str]]:
        dump = self.inputs.model_dump()
        rows = [{"assumption": label, "value": _format_value(dump[key])} for key, label in _ASSUMPTION_LABELS.items()]
        rows.append({"assumption": "Prices as of", "value": self.result.as_of.isoformat()})
        rows.append({"assumption": "Hours per month", "value": str(self.result.scenario.traffic.hours_per_month)})
        rows.append({"assumption": "Price catalogue", "value": self.catalog_name})
        return rows

    def answers(self) -> list[dict[str, str]]:
        dump = self.inputs.model_dump()
        return [{"question": q.text, "answer": str(dump.get(q.key, "unsure"))} for q in questions_for(self.result)]

    def summary_rows(self) -> list[dict[str, str]]:
        return [
            {
                "path": c.path.label,
                "description": describe_path(c.path),
                "per month": format_money(c.monthly_total, self.fx),
                "training (one-off)": "none" if c.training is None else format_money(c.training_total, self.fx),
                f"over {c.horizon_months} months": format_money(c.horizon_total, self.fx),
                "reliability": c.reliability.value
                + (f" ({UNCONFIRMED_NOTE})" if c.reliability == Reliability.UNCONFIRMED else ""),
            }
            for c in self.result.costs
        ]

    def figures(self) -> list[go.Figure]:
        figs = [
            availability_timeline(self.result, today=self.generated_on),
            cost_vs_traffic(self.result, log_x=self.inputs.log_x),
            cumulative_cost(self.result),
            line_items_bar(self.result),
        ]
        # validated copies with a template: a file read on its own has no app theme
        return [go.Figure(fig.to_dict()).update_layout(template="plotly_white") for fig in figs]

    def _title(self) -> str:
        return f"Fine-tuning cost decision: {describe_path(self.recommendation.path)}"

    # -- formats -------------------------------------------------------------------------------
    def markdown(self) -> str:
        rec = self.recommendation
        out = [
            f"# {self._title()}",
            "",
            f"Generated {self.generated_on.isoformat()}; prices as of "
            f"{self.result.as_of.isoformat()}; horizon {self.result.scenario.horizon_months} months; "
            f"amounts in {currency_code(self.fx)}; catalogue: {self.catalog_name}.",
            "",
            *([rate_caption(self.fx), ""] if self.fx is not None else []),
            f"## {self._h('Recommendation')}",
            "",
            rec.sentence,
            "",
        ]
        if rec.unconfirmed:
            out += [f"**Warning:** this recommendation {UNCONFIRMED_NOTE}.", ""]
        out += [f"## {self._h('Readiness check')}", "", md_table(self.answers(), ["question", "answer"])]
        for w in self.readiness.warnings:
            out.append(f"- **{w.severity}**: {w.text} (source: {w.source})")
        out += [
            "",
            f"## {self._h('Availability over the horizon')}",
            "",
            md_table(timeline_rows(self.result), _TIMELINE_COLUMNS),
        ]
        out += [f"- {c.path.label}: {c.horizon_note}" for c in self.result.costs if c.horizon_note]
        out += ["", f"## {self._h('Assumptions')}", "", md_table(self.assumptions(), ["assumption", "value"])]
        out += [f"## {self._h('Cost by path')}", "", md_table(self.summary_rows(), list(self.summary_rows()[0]))]
        for c in self.result.costs:
            out += [f"### {c.path.label}: monthly line items ({self._context()})", ""]
            cols = ["line", "quantity", "unit price", "cost", "reliability"]
            out.append(md_table(breakdown_rows(c.monthly, self.fx), cols))
            if c.training is not None:
                out += ["Training (one-off):", ""]
                out.append(md_table(breakdown_rows(c.training, self.fx), cols))
        out += [f"## {self._h('Break-even and payback')}", "", traffic_note(self.result), ""]
        out += [explained_markdown(e, self.fx) for e in self.explained]
        out += ["", f"## {self._h('Prices used')} (in force on {self.result.as_of.isoformat()})", ""]
        cols = ["provider", "model", "variant", "kind", "tier", "amount", "unit", "valid", "reliability", "source"]
        out.append(md_table(price_rows(self.prices), cols))
        out.append("The HTML version of this report carries the charts.")
        return "\n".join(out) + "\n"

    def html(self) -> str:
        rec = self.recommendation
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{html.escape(self._title())}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(self._title())}</h1>",
            f"<p>Generated {self.generated_on.isoformat()}; prices as of {self.result.as_of.isoformat()}; "
            f"horizon {self.result.scenario.horizon_months} months; amounts in {currency_code(self.fx)}; "
            f"catalogue: {html.escape(self.catalog_name)}.</p>",
            f"<p>{html.escape(rate_caption(self.fx))}</p>" if self.fx is not None else "",
            f"<h2>{html.escape(self._h('Recommendation'))}</h2>",
            f"<p class='rec'>{html.escape(rec.sentence)}</p>",
        ]
        if rec.unconfirmed:
            parts.append(f"<p class='unconfirmed'>This recommendation {UNCONFIRMED_NOTE}.</p>")
        parts.append(
            f"<h2>{html.escape(self._h('Readiness check'))}</h2>" + _html_table(self.answers(), ["question", "answer"])
        )
        for w in self.readiness.warnings:
            cls = "warn block" if w.severity == "blocker" else "warn"
            parts.append(
                f"<p class='{cls}'><b>{w.severity}</b>: {html.escape(w.text)} "
                f"(<a href='{html.escape(w.source)}'>source</a>)</p>"
            )
        parts.append(
            f"<h2>{html.escape(self._h('Availability over the horizon'))}</h2>"
            + _html_table(timeline_rows(self.result), _TIMELINE_COLUMNS)
        )
        parts.extend(
            f"<p>{html.escape(c.path.label)}: {html.escape(c.horizon_note)}</p>"
            for c in self.result.costs
            if c.horizon_note
        )
        parts.append(
            f"<h2>{html.escape(self._h('Assumptions'))}</h2>" + _html_table(self.assumptions(), ["assumption", "value"])
        )
        parts.append(
            f"<h2>{html.escape(self._h('Cost by path'))}</h2>"
            + _html_table(self.summary_rows(), list(self.summary_rows()[0]))
        )
        parts.append(f"<h2>{html.escape(self._h('Charts'))}</h2>")
        parts.append(f"<p>{html.escape(traffic_note(self.result))} Chart amounts are in USD.</p>")
        for k, fig in enumerate(self.figures()):
            parts.append(fig.to_html(full_html=False, include_plotlyjs=(k == 0), config={"displaylogo": False}))
        parts.append(f"<h2>{html.escape(self._h('Line items'))}</h2>")
        cols = ["line", "quantity", "unit price", "cost", "reliability", "source", "note"]
        for c in self.result.costs:
            parts.append(f"<h3>{html.escape(c.path.label)} (per month; {html.escape(self._context())})</h3>")
            parts.append(_html_table(breakdown_rows(c.monthly, self.fx), cols))
            if c.training is not None:
                parts.append(
                    f"<h3>{html.escape(c.path.label)}: training (one-off; {html.escape(self._context())})</h3>"
                )
                parts.append(_html_table(breakdown_rows(c.training, self.fx), cols))
        parts.append(f"<h2>{html.escape(self._h('Break-even and payback'))}</h2>")
        parts.append(f"<p>{html.escape(traffic_note(self.result))}</p>")
        parts += [explained_html(e, self.fx) for e in self.explained]
        parts.append(f"<h2>{html.escape(self._h('Prices used'))} (in force on {self.result.as_of.isoformat()})</h2>")
        cols = [
            "provider",
            "model",
            "variant",
            "kind",
            "tier",
            "amount",
            "unit",
            "valid",
            "reliability",
            "source",
            "note",
        ]
        parts.append(_html_table(price_rows(self.prices), cols))
        parts.append("</body></html>")
        return "\n".join(parts)

    def line_items_csv(self) -> str:
        rows = line_item_rows(self.result)
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["path"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()

    def scenario_json(self) -> str:
        payload = {
            "inputs": self.inputs.model_dump(mode="json"),
            "as_of": self.result.as_of.isoformat(),
            "scenario": self.result.scenario.model_dump(mode="json"),
            "recommendation": {
                "path": self.recommendation.path.label,
                "sentence": self.recommendation.sentence,
                "reliability": self.recommendation.reliability.value,
            },
        }
        return json.dumps(payload, indent=2, sort_keys=True) + "\n"


_PRICE_COLUMNS = ["path", "line", "unit price", "per unit of traffic", "reliability", "source"]


def _price_used_rows(e: Explained, fx: FxRate | None) -> list[dict[str, str]]:
    return [
        {
            "path": p.path,
            "line": p.item,
            "unit price": f"{format_money(p.unit_price, fx, precise=True)} {p.unit}"
            + (f" (USD {format_usd(p.unit_price, precise=True)})" if fx is not None else ""),
            "per unit of traffic": p.per_unit_of_traffic,
            "reliability": p.reliability,
            "source": p.source_url or "none (unconfirmed)",
        }
        for p in e.prices
    ]


def explained_markdown(e: Explained, fx: FxRate | None = None, *, code_block: bool = True) -> str:
    """One break-even or payback: figure, equation, numbers put in, coefficients and the prices used.

    With ``code_block=False`` the equation lines are inline code, one per line, instead of a fenced
    block (the dashboard: a fenced block makes the browser load and parse a 1.5 MB syntax highlighter
    for its first screen, where these sit in closed expanders and popovers).
    """
    maths = [e.equation, e.substituted, *("  " + c for c in e.coefficients)]
    inline = "  \n".join(f"`{line.strip()}`" for line in maths)
    equation = ["```", *maths, "```"] if code_block else [inline]
    lines = [
        f"### {e.kind.capitalize()}: {e.title}",
        "",
        f"**{e.figure}** ({e.reliability}). {e.reading}",
        "",
        *equation,
        "",
        "Prices used:",
        "",
        md_table(_price_used_rows(e, fx), _PRICE_COLUMNS, links=True),
    ]
    return "\n".join(lines)


def explained_html(e: Explained, fx: FxRate | None = None) -> str:
    """The HTML twin of :func:`explained_markdown`."""
    pre = "\n".join([e.equation, e.substituted, *("  " + c for c in e.coefficients)])
    return (
        f"<h3>{html.escape(e.kind.capitalize())}: {html.escape(e.title)}</h3>"
        f"<p><b>{html.escape(e.figure)}</b> ({html.escape(e.reliability)}). {html.escape(e.reading)}</p>"
        f"<pre>{html.escape(pre)}</pre><p>Prices used:</p>" + _html_table(_price_used_rows(e, fx), _PRICE_COLUMNS)
    )


def _format_value(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)
