"""Render validation rows: the printed table, ``report.md`` and ``results.json``."""

from __future__ import annotations

import json
import platform
from pathlib import Path

from validation.check import Check, format_value

__all__ = ["text_table", "markdown_report", "write_outputs"]

_COLUMNS = ("area", "check", "paper", "predicted", "measured", "tolerance", "status")


def _cells(row: Check) -> tuple[str, ...]:
    return (
        row.area,
        row.name,
        format_value(row.paper_value),
        format_value(row.predicted),
        format_value(row.measured),
        row.tolerance,
        row.status,
    )


def text_table(rows: list[Check]) -> str:
    """A fixed-width table for the terminal."""
    cells = [_COLUMNS] + [_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_COLUMNS))]
    lines = []
    for k, c in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def summary_counts(rows: list[Check]) -> dict[str, int]:
    """Number of rows per status."""
    counts = {s: 0 for s in ("pass", "fail", "deviation", "skip")}
    for r in rows:
        counts[r.status] += 1
    return counts


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_report(rows: list[Check], meta: dict) -> str:
    """The Markdown report: summary, the table, findings, failures, skips, figures."""
    counts = summary_counts(rows)
    out = ["# efttheory validation report", ""]
    out.append(
        f"Run: {'quick' if meta.get('quick') else 'full'} sizes, seed {meta.get('seed')}, "
        f"{meta.get('seconds', 0.0):.1f} s in total. "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
        + "."
    )
    out += ["", "| " + " | ".join(_COLUMNS + ("seconds",)) + " |", "|" + "---|" * (len(_COLUMNS) + 1)]
    for r in rows:
        out.append("| " + " | ".join(_md_escape(c) for c in _cells(r)) + f" | {r.seconds:.1f} |")
    findings = [r for r in rows if r.status == "deviation" or r.finding]
    if findings:
        out += ["", "## Findings", "",
                "Results that do not confirm a claim of the paper (deviations, and notes from checks "
                "whose verdict tests our own model).", ""]
        for r in findings:
            text = r.finding or r.reason
            out.append(f"- **{r.area}.{r.name}** ({r.status}) — {_md_escape(text)}")
    for title, status in (("Failures", "fail"), ("Skipped", "skip")):
        chosen = [r for r in rows if r.status == status]
        if not chosen:
            continue
        out += ["", f"## {title}", ""]
        for r in chosen:
            out.append(f"- **{r.area}.{r.name}** — {_md_escape(r.reason)}")
    out += ["", "## Checks", ""]
    for r in rows:
        out += [f"### {r.area}.{r.name} — {r.status}", ""]
        out.append(f"- claim: {_md_escape(r.claim)}")
        out.append(f"- source: {_md_escape(r.source)}")
        out.append(
            f"- paper {format_value(r.paper_value)}, predicted {format_value(r.predicted)}, "
            f"measured {format_value(r.measured)}, tolerance `{r.tolerance}`"
        )
        out.append(f"- verdict: {_md_escape(r.reason)}")
        if r.finding:
            out.append(f"- finding: {_md_escape(r.finding)}")
        if r.figure:
            out += ["", f"![{r.name}]({r.figure})"]
        out.append("")
    return "\n".join(out) + "\n"


def write_outputs(rows: list[Check], meta: dict, out_dir: Path) -> None:
    """Write ``report.md`` and ``results.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text(markdown_report(rows, meta), encoding="utf-8")
    payload = {
        "meta": {**meta, "python": platform.python_version()},
        "summary": summary_counts(rows),
        "checks": [r.to_dict() for r in rows],
    }
    (out_dir / "results.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
