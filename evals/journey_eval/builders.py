"""`answer_from`: the scripted analyst writes its final answer from the tool results it was shown.

A reply `{"answer_from": "diagnosis", "stage": "Check-in"}` becomes a DiagnosisAnswer tool call built
from the turn's latest diagnose_journey view: the stage's numbers, its themes with their quote ids, the
counter-evidence, the ideas that came with it, and the caveats the tool raised. Every number is copied
from the view the model received (shares written as percentages, differences as points), so the
product's grounding check passes exactly when the tools and the rendering agree. The analyst writes in
the language the product's system prompt asks for.
"""

from __future__ import annotations

import re
from typing import Any

from evals.journey_eval.templates import TemplateError, TurnResults


def _latest(results: TurnResults, tool: str) -> dict[str, Any]:
    """The latest result of a tool as a dict; a tool message that is not JSON (LangChain's text for
    arguments that failed validation) becomes {"error": text}."""
    value = results.latest(tool)
    return value if isinstance(value, dict) else {"error": str(value)}


def _reads_as(text: str, language: str) -> bool:
    from assistant.turns.understand import detect_language

    return detect_language(text, "ko" if language == "ko" else "en") == language


def pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x * 100:.{digits}f}%"


def points(x: float) -> str:
    return f"{abs(x) * 100:.1f}"


def _stage_entry(view: dict[str, Any], stage: str | None) -> dict[str, Any]:
    stages = view.get("stages", [])
    if stage is None:
        ranking = view.get("ranking_worst_first") or []
        if not ranking:
            raise TemplateError("answer_from diagnosis: the diagnosis ranks no stage")
        stage = ranking[0]
    for s in stages:
        if s["stage"].casefold() == str(stage).casefold():
            return dict(s)
    raise TemplateError(
        f"answer_from diagnosis: no stage {stage!r} in the diagnosis ({[s['stage'] for s in stages]})"
    )


def diagnosis(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    """A DiagnosisAnswer from the latest diagnose_journey view."""
    view = _latest(results, "diagnose_journey")
    if "error" in view:
        raise TemplateError(f"answer_from diagnosis: the tool failed: {view['error']}")
    ko = results.language == "ko"
    s = _stage_entry(view, options.get("stage"))
    name, n, neg = s["stage"], s["n"], s["negative"]
    if ko:
        summary = f"{name} 단계: {n}건 중 {neg}건이 부정적입니다({pct(s['negative_share'])}, 95% 신뢰구간 {pct(s['ci'][0])}–{pct(s['ci'][1])})."
    else:
        summary = f"{name}: {neg} of {n} rows are negative ({pct(s['negative_share'])}, 95% CI {pct(s['ci'][0])}–{pct(s['ci'][1])})."
    vs = s.get("vs")
    if vs:
        previous = view.get("compare_to") == "previous"
        if ko:
            other = "이전 기간은" if previous else "나머지 단계는"
            verdict = "통계적으로 유의합니다" if vs["significant"] else "잡음 범위 안입니다"
            summary += (
                f" {other} {pct(vs['share'])}({vs['n']}건)이며, 차이는 {points(vs['difference'])}%p"
                f"(보정 p = {vs['p_adjusted']})로 {verdict}."
            )
        else:
            other = "the previous period" if previous else "the rest of the journey"
            verdict = "significant" if vs["significant"] else "within noise"
            summary += (
                f" Against {pct(vs['share'])} in {other} ({vs['n']} rows): a difference of "
                f"{points(vs['difference'])} points, adjusted p = {vs['p_adjusted']} ({verdict})."
            )
    claims: list[dict[str, Any]] = []
    for seg in s.get("segments_explaining_gap", [])[: options.get("segments", 2)]:
        statement = (
            f"{seg['value']} 세그먼트가 격차의 {pct(seg['share_of_gap'])}를 설명합니다."
            if ko
            else f"Segment {seg['value']} explains {pct(seg['share_of_gap'])} of the gap."
        )
        claims.append({"statement": statement, "based_on_rows": n, "quote_ids": []})
    counter: list[dict[str, Any]] = []
    for theme in s.get("themes", [])[: options.get("themes", 3)]:
        if ko:
            statement = (
                f"{theme['label']}: 부정 의견 {theme['n']}건(이 단계 부정 의견의 {pct(theme['share_of_negative'])}); "
                f"이 문제가 사라지면 부정 비율은 {pct(theme['negative_share_without'])}입니다."
            )
        else:
            statement = (
                f"{theme['label']}: {theme['n']} negative comments ({pct(theme['share_of_negative'])} of the "
                f"stage's negatives); without them the stage would be at {pct(theme['negative_share_without'])}."
            )
        claims.append(
            {"statement": statement, "based_on_rows": n, "quote_ids": [q["id"] for q in theme["quotes"][:1]]}
        )
        c = theme.get("counter") or {}
        if c.get("n"):
            counter.append(
                {
                    "statement": f"{theme['label']}: 긍정 의견 {c['n']}건"
                    if ko
                    else f"{theme['label']}: {c['n']} positive comments",
                    "based_on_rows": c["n"],
                    "quote_ids": [q["id"] for q in c.get("quotes", [])[:1]],
                }
            )
    ideas: list[dict[str, Any]] = []
    if options.get("ideas", True) and isinstance(view.get("ideas"), dict):
        for idea in view["ideas"]["ideas"][: options.get("max_ideas", 3)]:
            effect = (
                f"부정 비율 {pct(idea['negative_share_now'])} → {pct(idea['negative_share_if_fixed'])}"
                f"(부정 의견 {idea['negatives_addressed']}건 해소)"
                if ko
                else f"negative share {pct(idea['negative_share_now'])} → {pct(idea['negative_share_if_fixed'])} "
                f"({idea['negatives_addressed']} negative comments addressed)"
            )
            ideas.append({"idea": idea["idea"], "expected_effect": effect, "kpi": idea["kpi"]})
    caveats: list[str] = []
    if s.get("small_sample"):
        caveats.append(
            f"{name} 단계는 {n}건뿐이라 비율은 참고용입니다." if ko else f"{name} rests on only {n} rows."
        )
    if s.get("mix_shift_dominates"):
        caveats.append(
            "변화의 대부분은 응답자 구성의 변화(믹스 시프트)로 설명됩니다."
            if ko
            else "Most of the change is a shift in who answered (mix shift), not a change within segments."
        )
    if view.get("top_two_within_noise"):
        caveats.append(
            "가장 나쁜 두 단계의 차이는 잡음 범위 안입니다."
            if ko
            else "The two worst stages are within noise of each other."
        )
    # The view's warnings are English sentences; the analyst repeats only those in its own language.
    caveats.extend(str(w) for w in view.get("warnings", [])[:2] if _reads_as(str(w), results.language))
    return {
        "kind": "diagnosis",
        "summary": summary,
        "claims": claims[:8],
        "counter_evidence": counter[:5],
        "ideas": ideas[:5],
        "caveats": caveats[:6],
    }


def ideas(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    """A ChatAnswer listing the ideas of the latest propose_improvements (or diagnose_journey) result."""
    ko = results.language == "ko"
    if results.by_tool.get("propose_improvements"):
        view = _latest(results, "propose_improvements")
    else:
        view = _latest(results, "diagnose_journey").get("ideas") or {}
    if "error" in view:
        raise TemplateError(f"answer_from ideas: the tool failed: {view['error']}")
    head = (
        f"{view['stage']} 단계 개선 아이디어({view['based_on_rows']}건 기준):"
        if ko
        else f"Ideas for {view['stage']} (from {view['based_on_rows']} rows):"
    )
    lines = [head]
    for idea in view.get("ideas", [])[: options.get("max_ideas", 3)]:
        effect = (
            f"부정 의견 {idea['negatives_addressed']}건, 부정 비율 {pct(idea['negative_share_now'])} → "
            f"{pct(idea['negative_share_if_fixed'])}"
            if ko
            else f"{idea['negatives_addressed']} negative comments; negative share "
            f"{pct(idea['negative_share_now'])} → {pct(idea['negative_share_if_fixed'])}"
        )
        lines.append(f"- {idea['idea']} (KPI: {idea['kpi']}; {effect})")
    if not view.get("ideas"):
        lines.append("뚜렷한 불만 주제가 없습니다." if ko else "No pain theme stands out yet.")
    return {"kind": "chat", "message": "\n".join(lines)}


def export(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    view = _latest(results, "export_map")
    if "error" in view:
        message = (
            f"파일을 만들지 못했습니다: {view['error']}"
            if results.language == "ko"
            else f"I could not make the file: {view['error']}"
        )
        return {"kind": "chat", "message": message}
    message = (
        f"{view['filename']} 파일을 준비했습니다({view['bytes']}바이트)."
        if results.language == "ko"
        else f"Here is {view['filename']} ({view['bytes']} bytes)."
    )
    return {"kind": "chat", "message": message}


KO_CHANGES = {
    "stage_added": "단계 추가",
    "stage_removed": "단계 삭제",
    "stage_renamed": "단계 이름 변경",
    "stage_moved": "단계 이동",
    "step_added": "스텝 추가",
    "step_removed": "스텝 삭제",
    "step_moved": "스텝 이동",
    "field_changed": "내용 변경",
    "persona_added": "페르소나 추가",
    "persona_removed": "페르소나 삭제",
}


def edit(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    """What changed, from the latest apply_map_operations or undo_map_edit result (or why it failed)."""
    ko = results.language == "ko"
    tool = next((t for t in ("undo_map_edit", "apply_map_operations") if results.by_tool.get(t)), None)
    if tool is None:
        raise TemplateError("answer_from edit: no apply_map_operations or undo_map_edit result in this turn")
    view = _latest(results, tool)
    if "error" in view:
        message = f"수정하지 않았습니다: {view['error']}" if ko else f"I changed nothing: {view['error']}"
        return {"kind": "chat", "message": message}
    undo = tool == "undo_map_edit"
    if ko:
        head = f"{'되돌렸습니다' if undo else '수정했습니다'}(버전 {view['version']}):"
    else:
        head = f"{'Undone' if undo else 'Done'} (version {view['version']}):"
    if ko:  # the diff's own lines are English; the analyst says them in Korean
        changes = [
            f"- {KO_CHANGES.get(c['kind'], c['kind'])}: "
            + ", ".join(re.findall(r"'([^']+)'", c["text"]) or [c["path"]])
            for c in view["diff"]["changes"]
        ]
    else:
        changes = [f"- {c['text']}" for c in view["diff"]["changes"]]
    return {"kind": "chat", "message": "\n".join([head, *changes])}


def drafted(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    """What was saved, from the latest save_journey_map result."""
    view = _latest(results, "save_journey_map")
    ko = results.language == "ko"
    if "error" in view:
        return {"kind": "chat", "message": ("저장하지 못했습니다: " if ko else "Not saved: ") + view["error"]}
    stages = " → ".join(view["stages"])
    message = (
        f"“{view['saved_as']}” 지도를 만들었습니다. 단계: {stages}."
        if ko
        else f"I drafted “{view['saved_as']}”. Stages: {stages}."
    )
    if view.get("notes"):
        message += ("\n참고: " if ko else "\nNotes: ") + "; ".join(view["notes"][:3])
    return {"kind": "chat", "message": message}


def personas(results: TurnResults, options: dict[str, Any]) -> dict[str, Any]:
    """Who the map follows (names, occupations, goals), from the latest get_current_map result."""
    view = _latest(results, "get_current_map")
    ko = results.language == "ko"
    people = view.get("map", {}).get("personas", [])
    if not people:
        return {"kind": "chat", "message": "페르소나가 없습니다." if ko else "The map has no persona yet."}
    lines = ["이 지도의 페르소나:" if ko else "Personas on this map:"]
    for p in people:
        goals = ", ".join(p.get("personal_goals", [])[:2])
        lines.append(
            f"- {p['name']}"
            + (f" ({p['occupation']})" if p.get("occupation") else "")
            + (f": {goals}" if goals else "")
        )
    return {"kind": "chat", "message": "\n".join(lines)}


BUILDERS = {
    "diagnosis": diagnosis,
    "ideas": ideas,
    "export": export,
    "edit": edit,
    "map": drafted,
    "personas": personas,
}
