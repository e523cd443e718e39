"""A readable summary of a diagnosis document (for the CLI and as grounding for the chat answer)."""

from __future__ import annotations

from typing import Any


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def diagnosis_text(result: dict[str, Any], max_themes: int = 3) -> str:
    lines: list[str] = []
    total = result["n"]
    lines.append(
        f"Diagnosis of '{result.get('map', '')}' from {total} feedback rows "
        f"({result['unassigned']['n']} not assigned to a stage)."
    )
    lines.append(
        f"Stages ranked worst first (compared with the {result['compare_to'] if result['compare_to'] == 'rest' else 'previous period'}):"
    )
    by_name = {s["stage"]: s for s in result["stages"]}
    for pos, name in enumerate(result["ranking"], start=1):
        cmp = next((c for c in result["comparisons"] if c["stage"] == name), None)
        s = by_name.get(name)
        if s is None or cmp is None:
            continue
        line = (
            f"{pos}. {name}: {s['negative']}/{s['n']} negative = {_pct(s['negative_share'])} "
            f"(95% CI {_pct(s['ci_low'])}-{_pct(s['ci_high'])})"
        )
        if cmp.get("testable"):
            line += (
                f"; vs {cmp['against']} {_pct(cmp['share2'])}, difference {cmp['difference'] * 100:+.1f} pts, "
                f"p={cmp['p_adjusted']:.3g}" + (" — significant" if cmp.get("significant") else "")
            )
        if s["small_sample"]:
            line += " [small sample]"
        lines.append(line)
        for t in s["themes"][:max_themes]:
            lines.append(
                f"     theme '{t['label']}': {t['n']} comments ({_pct(t['share_of_negative'])} of its negatives)"
            )
            for q in t["quotes"][:1]:
                lines.append(f"       “{q['text'][:160]}” [{q['feedback_id']}]")
            if t["counter_evidence"]["n"]:
                ce = t["counter_evidence"]["quotes"][0]
                lines.append(
                    f"       counter-evidence ({t['counter_evidence']['n']} positive): “{ce['text'][:120]}”"
                )
    for w in result["warnings"]:
        lines.append(f"Warning: {w}")
    return "\n".join(lines)
