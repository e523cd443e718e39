"""A readable summary of a diagnosis document, in English or Korean (for the CLI, the demo, and as the
offline answer when no language model is configured)."""

from __future__ import annotations

from typing import Any

from tools.diagnosis_warnings import render_all
from tools.language import Language

PHRASES: dict[Language, dict[str, str]] = {
    "en": {
        "head": "Diagnosis of '{map}' from {n} feedback rows ({unassigned} not assigned to a stage).",
        "ranked": "Stages ranked worst first (compared with the {against}):",
        "rest": "rest of the journey",
        "previous": "previous period",
        "stage": "{pos}. {name}: {neg}/{n} negative = {share} (95% CI {low}-{high})",
        "test": "; vs {against} {other}, difference {diff:+.1f} pts, p={p:.3g}",
        "significant": " — significant",
        "small": " [small sample]",
        "theme": "     theme '{label}': {n} comments ({share} of its negatives)",
        "counter": "       counter-evidence ({n} positive): “{text}”",
        "warning": "Warning: {text}",
        "noise": (
            "The top two stages, {top} and {runner}, are within noise: {top} stays first in only {share} of "
            "resamples of the rows and of their stage assignments, so neither can be singled out as the worst."
        ),
        "firm": "{top} stays the worst stage in {share} of resamples of the rows and of their stage assignments.",
        "certainty": "{low} rows ({low_share}) were assigned to a stage with low confidence; {unassigned} unassigned.",
    },
    "ko": {
        "head": "'{map}' 진단: 피드백 {n}건 기준 (단계에 배정되지 않은 {unassigned}건 포함).",
        "ranked": "부진한 단계 순위 ({against}와 비교):",
        "rest": "나머지 단계",
        "previous": "이전 기간",
        "stage": "{pos}. {name}: 부정 {neg}/{n}건 = {share} (95% 신뢰구간 {low}-{high})",
        "test": "; 비교 대상({against}) {other}, 차이 {diff:+.1f}%p, p={p:.3g}",
        "significant": " — 유의함",
        "small": " [표본 작음]",
        "theme": "     주제 '{label}': {n}건 (이 단계 부정 의견의 {share})",
        "counter": "       반대 근거 (긍정 {n}건): “{text}”",
        "warning": "주의: {text}",
        "noise": (
            "상위 두 단계 {top}와(과) {runner}의 차이는 오차 범위 안입니다: 행과 단계 배정을 다시 뽑은 표본 중 "
            "{share}에서만 {top}가 1위이므로, 어느 한 단계를 가장 부진하다고 단정할 수 없습니다."
        ),
        "firm": "행과 단계 배정을 다시 뽑은 표본의 {share}에서 {top}가 가장 부진한 단계로 유지됩니다.",
        "certainty": "낮은 신뢰도로 배정된 행 {low}건 ({low_share}), 배정되지 않은 행 {unassigned}.",
    },
}


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def diagnosis_text(result: dict[str, Any], max_themes: int = 3, language: Language = "en") -> str:
    t = PHRASES[language]
    against = t["rest"] if result["compare_to"] == "rest" else t["previous"]
    lines = [
        t["head"].format(map=result.get("map", ""), n=result["n"], unassigned=result["unassigned"]["n"]),
        t["ranked"].format(against=against),
    ]
    by_name = {s["stage"]: s for s in result["stages"]}
    for pos, name in enumerate(result["ranking"], start=1):
        cmp = next((c for c in result["comparisons"] if c["stage"] == name), None)
        s = by_name.get(name)
        if s is None or cmp is None:
            continue
        line = t["stage"].format(
            pos=pos,
            name=name,
            neg=s["negative"],
            n=s["n"],
            share=_pct(s["negative_share"]),
            low=_pct(s["ci_low"]),
            high=_pct(s["ci_high"]),
        )
        if cmp.get("testable"):
            line += t["test"].format(
                against=against, other=_pct(cmp["share2"]), diff=cmp["difference"] * 100, p=cmp["p_adjusted"]
            )
            line += t["significant"] if cmp.get("significant") else ""
        if s["small_sample"]:
            line += t["small"]
        lines.append(line)
        for theme in s["themes"][:max_themes]:
            lines.append(
                t["theme"].format(label=theme["label"], n=theme["n"], share=_pct(theme["share_of_negative"]))
            )
            for q in theme["quotes"][:1]:
                lines.append(f"       “{q['text'][:160]}” [{q['feedback_id']}]")
            if theme["counter_evidence"]["n"]:
                ce = theme["counter_evidence"]["quotes"][0]
                lines.append(t["counter"].format(n=theme["counter_evidence"]["n"], text=ce["text"][:120]))
    rc = result.get("ranking_confidence") or {}
    if rc.get("top_two_within_noise"):
        lines.insert(
            2,
            t["noise"].format(top=rc["top_stage"], runner=rc["runner_up"], share=_pct(rc["top_stage_share"])),
        )
    elif rc.get("top_two_within_noise") is False:
        lines.insert(2, t["firm"].format(top=rc["top_stage"], share=_pct(rc["top_stage_share"])))
    if rc.get("low_confidence_share") is not None:
        lines.append(
            t["certainty"].format(
                low=rc["low_confidence_rows"],
                low_share=_pct(rc["low_confidence_share"]),
                unassigned=_pct(rc.get("unassigned_share")),
            )
        )
    for text in render_all(result.get("warning_details", []), language):
        lines.append(t["warning"].format(text=text))
    return "\n".join(lines)
