"""What `journey eval` prints: a line per scenario while it runs, a table at the end, the pass rate; and
for `--compare`, what got better and worse, scenario by scenario."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from evals.journey_eval.records import SCORED, pass_rate

MARK = {
    "passed": "[green]✓ pass[/]",
    "failed": "[red]✗ FAIL[/]",
    "error": "[red]! ERROR[/]",
    "skipped": "[dim]– skip[/]",
    "known_issue": "[yellow]~ known issue[/]",
    "fixed": "[magenta]✓ FIXED (remove known_issue)[/]",
}


def _tokens(r: dict[str, Any]) -> int:
    return int(sum((r.get("tokens") or {}).values()))


def _checks(r: dict[str, Any]) -> str:
    scored = [c for c in r.get("checks", []) if c.get("passed") is not None]
    ok = sum(1 for c in scored if c["passed"])
    return f"{ok}/{len(scored)}" if scored else "–"


def _why(r: dict[str, Any]) -> str:
    if r.get("error") and r["status"] in ("error", "skipped"):
        return str(r["error"]).splitlines()[0][:160]
    failed = [c for c in r.get("checks", []) if c.get("passed") is False]
    notes = [
        c for c in r.get("checks", []) if c.get("passed") is None and c.get("name") == "injection_quoted"
    ]
    parts = [
        f"{c['name']}{' (turn ' + str(c['turn']) + ')' if c.get('turn') else ''}: {c['detail']}"
        for c in failed
    ]
    parts += [f"note: {c['detail']}" for c in notes]
    return "; ".join(parts)[:300]


def progress_line(r: dict[str, Any]) -> str:
    tokens = _tokens(r)
    extra = f"  {tokens:,} tok" if tokens else ""
    why = _why(r)
    return (
        f"{MARK.get(r['status'], r['status'])} {r['scenario']:<30} [dim]{r.get('job', '')} {r.get('language', '')}"
        f"  {_checks(r)} checks  {r.get('seconds', 0):.1f} s{extra}[/]"
        + (f"\n      {why}" if why and r["status"] != "passed" else "")
    )


def results_table(records: list[dict[str, Any]], title: str) -> Table:
    several = len({r["suite"] for r in records}) > 1
    table = Table(title=title, header_style="bold")
    if several:
        table.add_column("suite")
    table.add_column("scenario", no_wrap=True)
    table.add_column("job", no_wrap=True)
    table.add_column("lang")
    table.add_column("result", no_wrap=True)
    table.add_column("checks", justify="right")
    table.add_column("s", justify="right")
    table.add_column("tokens", justify="right", no_wrap=True)
    table.add_column("why", overflow="ellipsis", no_wrap=True, max_width=70)
    for r in records:
        tokens = _tokens(r)
        cells = [
            r["scenario"],
            str(r.get("job", "")),
            str(r.get("language", "")),
            Text.from_markup(MARK.get(r["status"], r["status"])),
            _checks(r),
            f"{r.get('seconds', 0):.1f}",
            f"{tokens:,}" if tokens else "–",
            Text(_why(r)[:70]),
        ]
        table.add_row(*([r["suite"], *cells] if several else cells))
    return table


def summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[str, int] = {}
    for r in records:
        by[r["status"]] = by.get(r["status"], 0) + 1
    scored = [r for r in records if r["status"] in SCORED]
    return {
        "scenarios": len(records),
        "scored": len(scored),
        "by_status": by,
        "pass_rate": pass_rate(records),
        "pass_rate_model": pass_rate(records, "model"),
        "pass_rate_code": pass_rate(records, "code"),
        "scored_model": sum(1 for r in scored if r.get("answered_by", "model") == "model"),
        "scored_code": sum(1 for r in scored if r.get("answered_by") == "code"),
        "seconds": round(sum(r.get("seconds", 0) for r in records), 1),
        "tokens": sum(_tokens(r) for r in records),
    }


def print_summary(
    console: Console, records: list[dict[str, Any]], threshold: float | None, wall_s: float
) -> None:
    s = summary(records)
    rate = s["pass_rate"]
    counts = ", ".join(f"{n} {k}" for k, n in sorted(s["by_status"].items()))
    line = (
        f"pass rate {rate:.1%} ({s['by_status'].get('passed', 0)}/{s['scored']} scored)"
        if rate is not None
        else "nothing scored"
    )
    verdict = ""
    if threshold is not None and rate is not None:
        verdict = f" — threshold {threshold:.0%}: " + (
            "[green]met[/]" if rate >= threshold else "[red]NOT met[/]"
        )
    console.print(
        f"[bold]{line}[/]{verdict}  [dim]({counts}; {wall_s:.0f} s wall, {s['tokens']:,} tokens)[/]"
    )
    for who in ("model", "code"):
        part = s[f"pass_rate_{who}"]
        if part is not None and s["scored_code"]:
            console.print(f"  answered by the {who}: {part:.1%} of {s[f'scored_{who}']} scored")


# --- compare -------------------------------------------------------------------------------------------


def compare(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    """Scenario by scenario: status changes, checks that flipped, latency, token and metric deltas."""
    key = lambda r: (r["suite"], r["scenario"])  # noqa: E731
    ia, ib = {key(r): r for r in a}, {key(r): r for r in b}
    rows = []
    for k in [*ia, *(k for k in ib if k not in ia)]:
        ra, rb = ia.get(k), ib.get(k)
        row: dict[str, Any] = {
            "suite": k[0],
            "scenario": k[1],
            "a": ra["status"] if ra else None,
            "b": rb["status"] if rb else None,
        }
        if ra is None:
            row["change"] = "new"
        elif rb is None:
            row["change"] = "gone"
        elif ra["status"] == rb["status"]:
            row["change"] = "same"
        elif rb["status"] == "passed":
            row["change"] = "better"
        elif ra["status"] == "passed":
            row["change"] = "worse"
        else:
            row["change"] = "changed"
        if ra and rb:
            ca = {(c["name"], c.get("turn")): c.get("passed") for c in ra.get("checks", [])}
            cb = {(c["name"], c.get("turn")): c.get("passed") for c in rb.get("checks", [])}
            row["now_failing"] = [
                f"{n}{'@' + str(t) if t else ''}"
                for (n, t), v in cb.items()
                if v is False and ca.get((n, t)) is not False
            ]
            row["now_passing"] = [
                f"{n}{'@' + str(t) if t else ''}"
                for (n, t), v in cb.items()
                if v is True and ca.get((n, t)) is False
            ]
            row["seconds_delta"] = round(rb.get("seconds", 0) - ra.get("seconds", 0), 2)
            row["tokens_delta"] = _tokens(rb) - _tokens(ra)
            ma, mb = ra.get("metrics") or {}, rb.get("metrics") or {}
            row["metric_deltas"] = {
                m: round(mb[m] - ma[m], 4)
                for m in mb
                if m in ma and isinstance(mb[m], int | float) and mb[m] != ma[m]
            }
            if row["change"] == "same" and row["now_failing"]:
                row["change"] = "worse"
            elif row["change"] == "same" and row["now_passing"]:
                row["change"] = "better"
        rows.append(row)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["change"]] = counts.get(r["change"], 0) + 1
    return {"rows": rows, "counts": counts, "pass_rate_a": pass_rate(a), "pass_rate_b": pass_rate(b)}


CHANGE = {
    "better": "[green]better[/]",
    "worse": "[red]WORSE[/]",
    "same": "[dim]same[/]",
    "new": "new",
    "gone": "gone",
    "changed": "changed",
}


def compare_table(result: dict[str, Any], a_name: str, b_name: str) -> Table:
    table = Table(title=f"{a_name} → {b_name}", header_style="bold")
    for col in ("suite", "scenario", "A", "B", "change", "checks", "Δ s", "Δ tokens", "Δ metrics"):
        table.add_column(col, overflow="fold")
    order = {"worse": 0, "changed": 1, "better": 2, "gone": 3, "new": 4, "same": 5}
    for r in sorted(result["rows"], key=lambda r: (order[r["change"]], r["suite"], r["scenario"])):
        flips = [*(f"✗ {n}" for n in r.get("now_failing", [])), *(f"✓ {n}" for n in r.get("now_passing", []))]
        deltas = ", ".join(f"{k} {v:+g}" for k, v in list(r.get("metric_deltas", {}).items())[:3])
        table.add_row(
            r["suite"],
            r["scenario"],
            str(r["a"] or "–"),
            str(r["b"] or "–"),
            Text.from_markup(CHANGE[r["change"]]),
            " ".join(flips)[:120],
            f"{r['seconds_delta']:+.1f}" if "seconds_delta" in r else "",
            f"{r['tokens_delta']:+,}" if r.get("tokens_delta") else "",
            deltas,
        )
    return table
