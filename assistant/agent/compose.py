"""Answers written from the workspace's results by code, in Korean or English.

The embedded mode answers diagnosis and ideas questions this way (no model needed, so they are ready
while the model still loads), and every mode falls back to it when a model's answer fails the
grounding check twice. Every number here is a field of a tool result; quotes are the stored text.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.analysis.claims import Claim, ClaimKind
from assistant.workspace.context import context_line
from assistant.workspace.results import Diagnosis, Idea, IdeasResult, SearchResult, StageDiagnosis
from tools.diagnosis_warnings import render_all
from tools.language import Language

QUOTE_CHARS = 200

T: dict[Language, dict[str, str]] = {
    "en": {
        "worst": "**{stage}** underperforms most: {neg} of {n} feedback rows are negative ({share}, 95% CI "
        "{low}–{high}), against {other} for {against} ({n_other} rows).",
        "focus": "**{stage}**: {neg} of {n} feedback rows are negative ({share}, 95% CI {low}–{high}), against "
        "{other} for {against} ({n_other} rows).",
        "significant": " The difference is significant after adjusting for testing every stage ({p}).",
        "not_significant": " The difference is within what chance alone could produce (adjusted {p}), so "
        "treat it as a hint, not a finding.",
        "most_count": "**{stage}** gets the most complaints: {neg} of the {total} negative feedback rows in "
        "scope ({share}).",
        "next_count": " Next is {b} with {neg_b}.",
        "count_noise": " The gap to {b} is within noise ({p}): the two could swap with more data.",
        "count_clear": " The gap to {b} is beyond noise ({p}).",
        "lowest_score": "**{stage}** has the lowest {metric}: {value} (95% CI {low} to {high}, {n} rows).",
        "next_score": " Next is {b} at {value_b}.",
        "score_noise": " Their intervals overlap, so the order between them is not reliable.",
        "no_score": "No stage has {metric} scores in scope, so I cannot rank stages by it.",
        "evidence": "Why, from the same rows:",
        "untestable": "**{stage}** has {n} assigned feedback rows; there is nothing to compare it with yet.",
        "rest": "the rest of the journey",
        "previous": "the previous period ({since} to {until})",
        "noise": "The two most complained-about stages, {a} and {b}, are within noise of each other: the order "
        "between them is not reliable.",
        "themes": "What customers complain about there:",
        "theme": "- **{label}**: {k} of its {neg} negative comments ({share}). “{quote}” [{id}]",
        "counter": "  - Counter-evidence: {k} positive comments mention it too, e.g. “{quote}” [{id}]",
        "no_counter": "  - No positive comment in this stage mentions it.",
        "segments": "Which {column} values explain most of the gap: {items}.",
        "segment_item": "{value} ({share} of the excess)",
        "ideas": "Ideas, ranked by expected effect per effort (computed from the same rows):",
        "idea": "- {idea} — for “{theme}”: addresses {k} negative comments; the stage's negative share would go "
        "from {now} to {fixed} if the complaints disappeared. KPI: {kpi}. Effort: {effort}.{also}",
        "also": " Also suggested for: {themes}.",
        "warnings": "Caveats:",
        "based": "_Based on {n} feedback rows ({unassigned} not assigned to a stage)._",
        "no_data": "There is no feedback to analyse yet. Upload a CSV, XLSX or JSON file of customer feedback "
        "and ask again.",
        "no_stage": "The map has no stage called {stage!r}. Its stages are: {stages}.",
        "search_head": "Most relevant passages for “{query}”:",
        "search_none": "Nothing relevant was found for “{query}”.",
    },
    "ko": {
        "worst": "가장 부진한 단계는 **{stage}**입니다. 피드백 {n}건 중 {neg}건이 부정적입니다({share}, 95% 신뢰구간 "
        "{low}–{high}). 비교 대상인 {against}는 {other}입니다({n_other}건).",
        "focus": "**{stage}** 단계: 피드백 {n}건 중 {neg}건이 부정적입니다({share}, 95% 신뢰구간 {low}–{high}). "
        "비교 대상인 {against}는 {other}입니다({n_other}건).",
        "significant": " 모든 단계를 함께 검정한 것을 보정한 뒤에도 유의한 차이입니다({p}).",
        "not_significant": " 다만 우연으로도 생길 수 있는 수준의 차이라서(보정 {p}) 확정된 결과가 아니라 단서로 "
        "보셔야 합니다.",
        "most_count": "불만이 가장 많은 단계는 **{stage}**입니다. 범위 안의 부정 피드백 {total}건 중 {neg}건({share})입니다.",
        "next_count": " 다음은 {b}({neg_b}건)입니다.",
        "count_noise": " {b}와의 차이는 오차 범위 안이라({p}) 데이터가 더 쌓이면 순서가 바뀔 수 있습니다.",
        "count_clear": " {b}와의 차이는 오차 범위를 넘습니다({p}).",
        "lowest_score": "{metric}가 가장 낮은 단계는 **{stage}**입니다: {value}(95% 신뢰구간 {low}~{high}, {n}건).",
        "next_score": " 다음은 {b}({value_b})입니다.",
        "score_noise": " 두 단계의 신뢰구간이 겹쳐 순서를 단정할 수 없습니다.",
        "no_score": "범위 안에 {metric} 점수가 있는 단계가 없어 이 기준으로 순위를 낼 수 없습니다.",
        "evidence": "같은 데이터로 본 이유:",
        "untestable": "**{stage}** 단계에 배정된 피드백은 {n}건이며, 아직 비교할 대상이 없습니다.",
        "rest": "나머지 단계",
        "previous": "이전 기간({since}~{until})",
        "noise": "불만이 가장 많은 두 단계({a}, {b})의 차이는 오차 범위 안에 있어 순위를 단정할 수 없습니다.",
        "themes": "고객들이 주로 지적하는 내용:",
        "theme": "- **{label}**: 부정 의견 {neg}건 중 {k}건({share}). “{quote}” [{id}]",
        "counter": "  - 반대 근거: 같은 내용을 긍정적으로 언급한 의견도 {k}건 있습니다. 예: “{quote}” [{id}]",
        "no_counter": "  - 이 단계에서 같은 내용을 긍정적으로 언급한 의견은 없습니다.",
        "segments": "격차의 대부분을 설명하는 {column} 값: {items}.",
        "segment_item": "{value}(초과분의 {share})",
        "ideas": "기대 효과 대비 노력 순으로 정리한 개선 아이디어(같은 데이터로 계산):",
        "idea": "- {idea} — “{theme}” 관련 부정 의견 {k}건에 해당하며, 이 불만이 사라지면 부정 비율이 {now}에서 "
        "{fixed}로 낮아집니다. KPI: {kpi}. 노력: {effort}.{also}",
        "also": " 다음 주제에도 해당합니다: {themes}.",
        "warnings": "유의할 점:",
        "based": "_피드백 {n}건 기준 (단계에 배정되지 않은 {unassigned}건 포함)._",
        "no_data": "아직 분석할 피드백이 없습니다. 고객 피드백 CSV, XLSX 또는 JSON 파일을 올린 뒤 다시 물어봐 주세요.",
        "no_stage": "지도에 {stage!r} 단계가 없습니다. 단계 목록: {stages}.",
        "search_head": "“{query}”와 가장 관련 있는 내용:",
        "search_none": "“{query}”와 관련된 내용을 찾지 못했습니다.",
    },
}

EFFORT: dict[Language, dict[str, str]] = {
    "en": {"low": "low", "medium": "medium", "high": "high"},
    "ko": {"low": "낮음", "medium": "보통", "high": "높음"},
}


def pct(x: float | None) -> str:
    """Shares as whole percentages (one decimal below 10%); the grounding check accepts this rounding."""
    if x is None:
        return "-"
    return f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def p_text(p: float | None) -> str:
    """A p-value as a person writes it: `p < 0.001`, never `p = 0`."""
    if p is None:
        return "p = -"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def _score(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "csat":
        return pct(value)
    return f"{value:+.1f}" if metric == "nps" else f"{value:.2f}"


class Said:
    """The numbers an answer writes, each recorded as the claim it makes with the result path it comes from:
    the text is rendered from the claims, so the two cannot disagree."""

    def __init__(self) -> None:
        self.claims: list[Claim] = []

    def _add(
        self,
        shown: str,
        value: float,
        precision: float,
        source: str,
        stage: str | None,
        kind: ClaimKind = "metric",
        relation: str = "=",
        comparison: str | None = None,
    ) -> str:
        metric = source.rsplit(".", 1)[-1].split("[", 1)[0]
        self.claims.append(
            Claim(
                kind=kind,
                stage=stage,
                metric=metric,
                value=value,
                shown=shown,
                precision=precision,
                relation="<" if relation == "<" else "=",
                comparison=comparison,
                source=source,
            )
        )
        return shown

    def pct(
        self,
        x: float | None,
        source: str,
        stage: str | None,
        kind: ClaimKind = "metric",
        comparison: str | None = None,
    ) -> str:
        shown = pct(x)
        if x is None:
            return shown
        digits = shown.rstrip("%")
        places = len(digits.split(".")[1]) if "." in digits else 0
        return self._add(
            shown, float(digits) / 100, 10.0**-places / 100, source, stage, kind, comparison=comparison
        )

    def count(self, n: int, source: str, stage: str | None, kind: ClaimKind = "count") -> str:
        return self._add(str(n), float(n), 1.0, source, stage, kind)

    def score(self, metric: str, value: float | None, source: str, stage: str | None) -> str:
        shown = _score(metric, value)
        if value is None:
            return shown
        if metric == "csat":
            return self.pct(value, source, stage)
        digits = shown.lstrip("+")
        places = len(digits.split(".")[1]) if "." in digits else 0
        return self._add(shown, float(digits), 10.0**-places, source, stage)

    def p(self, p: float | None, source: str, stage: str | None) -> str:
        shown = p_text(p)
        if p is None:
            return shown
        number = shown.split()[-1]
        places = len(number.split(".")[1]) if "." in number else 0
        relation = "<" if "<" in shown else "="
        return (
            shown.rsplit(" ", 1)[0]
            + " "
            + self._add(number, float(number), 10.0**-places, source, stage, "comparison", relation)
        )


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _stage_paragraph(
    d: Diagnosis, s: StageDiagnosis, language: Language, focus: bool, said: Said, root: str
) -> list[str]:
    t = T[language]
    c = s.comparison
    at = f"{root}.stages[{d.stages.index(s)}]"
    name = s.stage
    if not c.testable:
        return [t["untestable"].format(stage=s.stage, n=said.count(s.n, f"{at}.n", name))]
    if d.compare_to == "previous" and d.previous_window is not None:
        against = t["previous"].format(since=d.previous_window.since, until=d.previous_window.until)
    else:
        against = t["rest"]
    cmp = f"{at}.comparison"
    head = t["focus" if focus else "worst"].format(
        stage=s.stage,
        neg=said.count(s.negative, f"{at}.negative", name),
        n=said.count(s.n, f"{at}.n", name),
        share=said.pct(s.negative_share, f"{at}.negative_share", name),
        low=said.pct(s.ci_low, f"{at}.ci_low", name),
        high=said.pct(s.ci_high, f"{at}.ci_high", name),
        other=said.pct(c.share2, f"{cmp}.share2", name, "comparison", d.compare_to),
        against=against,
        n_other=said.count(c.n_other, f"{cmp}.n_other", name, "comparison"),
    )
    head += t["significant" if c.significant else "not_significant"].format(
        p=said.p(c.p_adjusted, f"{cmp}.p_adjusted", name)
    )
    lines = [head]
    if s.themes:
        lines.append(t["themes"])
        for j, theme in enumerate(s.themes[:3]):
            if not theme.quotes:
                continue
            q = theme.quotes[0]
            th = f"{at}.themes[{j}]"
            lines.append(
                t["theme"].format(
                    label=theme.label,
                    k=said.count(theme.n, f"{th}.n", name),
                    neg=said.count(s.negative, f"{at}.negative", name),
                    share=said.pct(theme.share_of_negative, f"{th}.share_of_negative", name),
                    quote=_quote(q.text),
                    id=q.feedback_id,
                )
            )
            ce = theme.counter_evidence
            if ce.n and ce.quotes:
                lines.append(
                    t["counter"].format(
                        k=said.count(ce.n, f"{th}.counter_evidence.n", name),
                        quote=_quote(ce.quotes[0].text),
                        id=ce.quotes[0].feedback_id,
                    )
                )
            else:
                lines.append(t["no_counter"])
    if d.segment_by and s.gap.segments:
        items = ", ".join(
            t["segment_item"].format(
                value=_label(g.value),
                share=said.pct(g.share_of_gap, f"{at}.gap.segments[{k}].share_of_gap", name),
            )
            for k, g in enumerate(s.gap.segments[:3])
        )
        lines.append(t["segments"].format(column=d.segment_by, items=items))
    return lines


SEGMENT_LABEL_CHARS = 24


def _label(value: str) -> str:
    """A segment value as a short label: values are categories (a region, a plan), and a long one is more
    likely a stray sentence or text planted in a spreadsheet cell than a name the reader needs whole."""
    value = " ".join(str(value).split())
    return value if len(value) <= SEGMENT_LABEL_CHARS else value[: SEGMENT_LABEL_CHARS - 1].rstrip() + "…"


def _distinct_ideas(ideas: Sequence[Idea]) -> list[tuple[Idea, list[str]]]:
    """Each idea once (several themes can call for the same fix), with the other themes it also answers."""
    merged: dict[str, tuple[Idea, list[str]]] = {}
    for idea in ideas:
        if idea.idea in merged:
            merged[idea.idea][1].append(idea.theme)
        else:
            merged[idea.idea] = (idea, [])
    return list(merged.values())


def _metric_headline(d: Diagnosis, language: Language, said: Said, root: str) -> tuple[list[str], str | None]:
    """The first sentence in the metric the question asked for (counts or scores), and the stage it names;
    ([], None) for the negative share, whose paragraph is the headline itself."""
    t = T[language]
    mr = d.metric_ranking
    if mr is None or mr.metric == "negative_share":
        return [], None
    label = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}.get(mr.metric, mr.metric)
    if not mr.stages or (mr.metric == "negative_count" and not mr.total_negative):
        return [t["no_score" if mr.metric != "negative_count" else "no_data"].format(metric=label)], None
    top = mr.stages[0]
    second = mr.stages[1] if len(mr.stages) > 1 else None
    at = f"{root}.metric_ranking"
    if mr.metric == "negative_count":
        head = t["most_count"].format(
            stage=top.stage,
            neg=said.count(int(top.negative), f"{at}.stages[0].negative", top.stage),
            total=said.count(mr.total_negative, f"{at}.total_negative", top.stage),
            share=said.pct(top.share_of_negative, f"{at}.stages[0].share_of_negative", top.stage),
        )
        if second is not None:
            head += t["next_count"].format(
                b=second.stage,
                neg_b=said.count(int(second.negative), f"{at}.stages[1].negative", second.stage),
            )
            if mr.top_two_within_noise is not None:
                key = "count_noise" if mr.top_two_within_noise else "count_clear"
                head += t[key].format(b=second.stage, p=said.p(mr.p_value, f"{at}.p_value", second.stage))
    else:
        first = f"{at}.stages[0]"
        head = t["lowest_score"].format(
            stage=top.stage,
            metric=label,
            value=said.score(mr.metric, top.value, f"{first}.value", top.stage),
            low=said.score(mr.metric, top.ci_low, f"{first}.ci_low", top.stage),
            high=said.score(mr.metric, top.ci_high, f"{first}.ci_high", top.stage),
            n=said.count(top.n, f"{first}.n", top.stage),
        )
        if second is not None:
            head += t["next_score"].format(
                b=second.stage,
                value_b=said.score(mr.metric, second.value, f"{at}.stages[1].value", second.stage),
            )
            if mr.top_two_within_noise:
                head += t["score_noise"]
    return [head, t["evidence"]], top.stage


def compose_diagnosis(
    d: Diagnosis,
    language: Language,
    focus: str | None = None,
    ideas: IdeasResult | None = None,
    root: str = "diagnose_journey",
    ideas_root: str = "propose_improvements",
) -> tuple[str, list[Claim]]:
    """The answer to "which stage underperforms, and why?" (or "why does <focus> underperform?"), in the
    metric asked, after one line saying which map, data and rows it is about; with the claims it makes,
    each citing its path under `root` (the diagnosis in the turn's results) or `ideas_root`."""
    t = T[language]
    said = Said()
    lines: list[str] = [context_line(d.scope, language)] if d.scope is not None else []
    if d.n == 0:
        return "\n\n".join([*lines, t["no_data"]]), []
    stage = d.stage(focus) if focus else None
    if focus and stage is None:
        return t["no_stage"].format(stage=focus, stages=", ".join(s.stage for s in d.stages)), []
    headline, named = ([], None) if focus else _metric_headline(d, language, said, root)
    lines.extend(headline)
    if stage is None and named is not None:
        stage = d.stage(named)
    if stage is None and d.ranking:
        stage = d.stage(d.ranking[0])
    if stage is not None:
        paragraph = _stage_paragraph(d, stage, language, focus is not None or named is not None, said, root)
        rc = d.ranking_confidence
        if focus is None and named is None and rc.top_two_within_noise and len(d.ranking) > 1:
            # Said in the first sentence's paragraph: the ranking's first place is the answer in question.
            paragraph[0] += " " + t["noise"].format(a=d.ranking[0], b=d.ranking[1])
        lines.extend(paragraph)
    if ideas is not None and ideas.ideas:
        lines.append(t["ideas"])
        index = {id(i): k for k, i in enumerate(ideas.ideas)}
        for idea, others in _distinct_ideas(ideas.ideas)[:3]:
            imp = f"{ideas_root}.ideas[{index[id(idea)]}].expected_impact"
            e = idea.expected_impact
            also = t["also"].format(themes=", ".join(f"“{o}”" for o in others)) if others else ""
            lines.append(
                t["idea"].format(
                    idea=idea.idea,
                    theme=idea.theme,
                    also=also,
                    k=said.count(e.negatives_addressed, f"{imp}.negatives_addressed", idea.stage),
                    now=said.pct(e.negative_share_now, f"{imp}.negative_share_now", idea.stage),
                    fixed=said.pct(e.negative_share_if_fixed, f"{imp}.negative_share_if_fixed", idea.stage),
                    kpi=idea.kpi,
                    effort=EFFORT[language][idea.effort],
                )
            )
    warnings = render_all([w.model_dump() for w in d.warning_details], language)
    if warnings:
        lines.append(t["warnings"])
        lines.extend(f"- {w}" for w in warnings)
    lines.append(
        t["based"].format(
            n=said.count(d.n, f"{root}.n", None),
            unassigned=said.count(d.unassigned.n, f"{root}.unassigned.n", None),
        )
    )
    return "\n\n".join(_join_lists(lines)), said.claims


def _join_lists(lines: Sequence[str]) -> list[str]:
    """Keep consecutive list items together (one blank line between paragraphs, none inside a list)."""
    out: list[str] = []
    for line in lines:
        if (
            out
            and line.startswith(("-", "  -"))
            and out[-1].lstrip().startswith(("-", "What", "고객", "Ideas", "기대", "Caveats", "유의"))
        ):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return out


def compose_search(result: SearchResult, language: Language) -> str:
    t = T[language]
    if not result.hits:
        return t["search_none"].format(query=result.query)
    lines = [t["search_head"].format(query=result.query)]
    for hit in result.hits:
        where = hit.metadata.get("title") or hit.source
        # Quoted under its id: the passage's words (and numbers) are its author's, checked verbatim.
        lines.append(f"- **{where}** ({hit.location}): “{_quote(hit.text)}” [{hit.id}]")
    return "\n".join(lines)
