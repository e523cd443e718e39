"""The one renderer of a diagnosis and of improvement ideas, in English and Korean, for every face.

The CLI (`journey diagnose`, `journey ideas`, the demo), the embedded pipeline, the agent's code-written
answers and the chat app all write these results through this module: one phrase table, one way to write
a share, a p-value or a score, one quote shortener. Every number is written through `Said`, which records
it as the claim it makes (kind, stage, metric, the result path it comes from), so the text is rendered from
claims and the claims check (analysis/claims.py) can hold each one against the result it cites.

Data strings (stage and theme names, ideas, customers' words) are written as they are; a face that shows
Markdown passes `escape` to keep them inert.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.analysis.claims import Claim, ClaimKind
from assistant.contracts.chat_context import context_line
from assistant.contracts.results import Diagnosis, Idea, IdeasResult, StageDiagnosis, SurveyBlock, Theme
from journey_tools.diagnosis_warnings import render_all
from journey_tools.language import Language

QUOTE_CHARS = 200
"""A customer's words as a person reads them (answers, the CLI report, the app's quotes)."""
MODEL_QUOTE_CHARS = 120
"""A customer's words as the model reads them in a tool result (agent/views.py): shorter, because every
character is paid for in tokens on each turn and the model needs the gist, not the whole comment."""
SEGMENT_LABEL_CHARS = 24
"""A segment value (a region, a plan) as a label: a longer one is a stray sentence, not a name."""
THEMES_SHOWN = 3
"""Pain themes written per stage."""
IDEAS_IN_DIAGNOSIS = 3
"""Ideas written under a diagnosis answer."""
IDEAS_LISTED = 5
"""Ideas written in an answer about ideas."""

T: dict[Language, dict[str, str]] = {
    "en": {
        # the answer to "which stage underperforms, and why?"
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
        "warnings": "Caveats:",
        "based": "_Based on {n} feedback rows ({unassigned} not assigned to a stage)._",
        "no_data": "There is no feedback to analyse yet. Upload a CSV, XLSX or JSON file of customer feedback "
        "and ask again.",
        "no_stage": "The map has no stage called {stage!r}. Its stages are: {stages}.",
        # ideas
        "idea": "- {idea} — for “{theme}”: addresses {k} negative comments; the stage's negative share would go "
        "from {now} to {fixed} if the complaints disappeared. KPI: {kpi}. Effort: {effort}.{also}",
        "also": " Also suggested for: {themes}.",
        "ideas_head": "Ideas for **{stage}**, ranked by expected effect per effort (from {n} rows):",
        "ideas_none": "No pain themes were found in {stage} ({n} rows), so there is nothing to propose yet.",
        "survey_for": "Survey questions for {stage} (too little evidence):",
        "survey_head": "Comparable questions (same wording and scale in every stage):",
        "survey_none": "Every stage has enough feedback; no extra survey is needed.",
        # the full report (every stage, worst first)
        "report_head": "Diagnosis of '{map}' from {n} feedback rows ({unassigned} not assigned to a stage).",
        "report_ranked": "Stages ranked worst first (compared with {against}):",
        "report_stage": "{pos}. {name}: {neg}/{n} negative = {share} (95% CI {low}–{high})",
        "report_test": "; vs {against} {other}, difference {diff} pts, {p}",
        "report_significant": " — significant",
        "report_small": " [small sample]",
        "report_theme": "     theme '{label}': {n} comments ({share} of its negatives)",
        "report_quote": "       “{quote}” [{id}]",
        "report_counter": "       counter-evidence ({k} positive): “{quote}” [{id}]",
        "report_warning": "Warning: {text}",
        "report_noise": "The top two stages, {top} and {runner}, are within noise: {top} stays first in only "
        "{share} of resamples of the rows and of their stage assignments, so neither can be singled out as "
        "the worst.",
        "report_firm": "{top} stays the worst stage in {share} of resamples of the rows and of their stage "
        "assignments.",
        "report_certainty": "{low} rows ({low_share}) were assigned to a stage with low confidence; "
        "{unassigned} unassigned.",
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
        "warnings": "유의할 점:",
        "based": "_피드백 {n}건 기준 (단계에 배정되지 않은 {unassigned}건 포함)._",
        "no_data": "아직 분석할 피드백이 없습니다. 고객 피드백 CSV, XLSX 또는 JSON 파일을 올린 뒤 다시 물어봐 주세요.",
        "no_stage": "지도에 {stage!r} 단계가 없습니다. 단계 목록: {stages}.",
        "idea": "- {idea} — “{theme}” 관련 부정 의견 {k}건에 해당하며, 이 불만이 사라지면 부정 비율이 {now}에서 "
        "{fixed}로 낮아집니다. KPI: {kpi}. 노력: {effort}.{also}",
        "also": " 다음 주제에도 해당합니다: {themes}.",
        "ideas_head": "**{stage}** 단계 개선 아이디어(기대 효과 대비 노력 순, {n}건 기준):",
        "ideas_none": "{stage} 단계({n}건)에서 뚜렷한 불만 주제가 없어 아직 제안할 것이 없습니다.",
        "survey_for": "{stage} 단계 설문 문항(근거가 부족함):",
        "survey_head": "단계마다 같은 문구와 척도로 비교할 수 있는 설문 문항:",
        "survey_none": "모든 단계에 피드백이 충분해 추가 설문이 필요 없습니다.",
        "report_head": "'{map}' 진단: 피드백 {n}건 기준 (단계에 배정되지 않은 {unassigned}건 포함).",
        "report_ranked": "부진한 단계 순위 ({against}와 비교):",
        "report_stage": "{pos}. {name}: 부정 {neg}/{n}건 = {share} (95% 신뢰구간 {low}–{high})",
        "report_test": "; 비교 대상({against}) {other}, 차이 {diff}%p, {p}",
        "report_significant": " — 유의함",
        "report_small": " [표본 작음]",
        "report_theme": "     주제 '{label}': {n}건 (이 단계 부정 의견의 {share})",
        "report_quote": "       “{quote}” [{id}]",
        "report_counter": "       반대 근거 (긍정 {k}건): “{quote}” [{id}]",
        "report_warning": "주의: {text}",
        "report_noise": "상위 두 단계 {top}와(과) {runner}의 차이는 오차 범위 안입니다: 행과 단계 배정을 다시 뽑은 "
        "표본 중 {share}에서만 {top}가 1위이므로, 어느 한 단계를 가장 부진하다고 단정할 수 없습니다.",
        "report_firm": "행과 단계 배정을 다시 뽑은 표본의 {share}에서 {top}가 가장 부진한 단계로 유지됩니다.",
        "report_certainty": "낮은 신뢰도로 배정된 행 {low}건 ({low_share}), 배정되지 않은 행 {unassigned}.",
    },
}

EFFORT: dict[Language, dict[str, str]] = {
    "en": {"low": "low", "medium": "medium", "high": "high"},
    "ko": {"low": "낮음", "medium": "보통", "high": "높음"},
}


def _same(text: str) -> str:
    return text


# --- how numbers and words are written --------------------------------------------------------------------


def shorten(text: str, limit: int = QUOTE_CHARS) -> str:
    """A customer's words on one line, cut at `limit` characters with "…" (the claims check accepts the
    cut quote as long as what is left is verbatim)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(value: str) -> str:
    """A segment value as a short label: values are categories (a region, a plan), and a long one is more
    likely a stray sentence or text planted in a spreadsheet cell than a name the reader needs whole."""
    value = " ".join(str(value).split())
    return value if len(value) <= SEGMENT_LABEL_CHARS else value[: SEGMENT_LABEL_CHARS - 1].rstrip() + "…"


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


def score_text(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "csat":
        return pct(value)
    return f"{value:+.1f}" if metric == "nps" else f"{value:.2f}"


def _places(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


class Said:
    """The numbers a text writes, each recorded as the claim it makes with the result path it comes from:
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
        return self._add(
            shown,
            float(digits) / 100,
            10.0 ** -_places(digits) / 100,
            source,
            stage,
            kind,
            comparison=comparison,
        )

    def points(self, x: float | None, source: str, stage: str | None) -> str:
        """A difference of shares in percentage points, signed (+10.4)."""
        if x is None:
            return "-"
        shown = f"{x * 100:+.1f}"
        return self._add(shown, float(shown) / 100, 0.001, source, stage, "comparison")

    def count(self, n: int, source: str, stage: str | None, kind: ClaimKind = "count") -> str:
        return self._add(str(n), float(n), 1.0, source, stage, kind)

    def score(self, metric: str, value: float | None, source: str, stage: str | None) -> str:
        shown = score_text(metric, value)
        if value is None:
            return shown
        if metric == "csat":
            return self.pct(value, source, stage)
        digits = shown.lstrip("+")
        return self._add(shown, float(digits), 10.0 ** -_places(digits), source, stage)

    def p(self, p: float | None, source: str, stage: str | None) -> str:
        shown = p_text(p)
        if p is None:
            return shown
        number = shown.split()[-1]
        relation = "<" if "<" in shown else "="
        return (
            shown.rsplit(" ", 1)[0]
            + " "
            + self._add(
                number, float(number), 10.0 ** -_places(number), source, stage, "comparison", relation
            )
        )


class _Text:
    """Paragraphs separated by a blank line; the items of a list stay together under their heading."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = []

    def para(self, line: str) -> None:
        self.paragraphs.append([line])

    def item(self, line: str) -> None:
        self.paragraphs[-1].append(line)

    def render(self) -> str:
        return "\n\n".join("\n".join(p) for p in self.paragraphs)


# --- ideas ------------------------------------------------------------------------------------------------


def distinct_ideas(ideas: Sequence[Idea]) -> list[tuple[int, Idea, list[str]]]:
    """Each idea once (several themes can call for the same fix), with its index in the result and the
    other themes it also answers."""
    merged: dict[str, tuple[int, Idea, list[str]]] = {}
    for k, idea in enumerate(ideas):
        if idea.idea in merged:
            merged[idea.idea][2].append(idea.theme)
        else:
            merged[idea.idea] = (k, idea, [])
    return list(merged.values())


def idea_lines(
    ideas: IdeasResult,
    language: Language,
    said: Said,
    root: str = "propose_improvements",
    limit: int | None = IDEAS_LISTED,
    escape: Callable[[str], str] = _same,
) -> list[str]:
    """One list item an idea (each idea once), best first, with its computed effect, KPI and effort; the
    numbers cite `root.ideas[i].expected_impact`."""
    t = T[language]
    lines = []
    for k, idea, others in distinct_ideas(ideas.ideas)[:limit]:
        imp = f"{root}.ideas[{k}].expected_impact"
        e = idea.expected_impact
        also = t["also"].format(themes=", ".join(f"“{escape(o)}”" for o in others)) if others else ""
        lines.append(
            t["idea"].format(
                idea=escape(idea.idea),
                theme=escape(idea.theme),
                also=also,
                k=said.count(e.negatives_addressed, f"{imp}.negatives_addressed", idea.stage),
                now=said.pct(e.negative_share_now, f"{imp}.negative_share_now", idea.stage),
                fixed=said.pct(e.negative_share_if_fixed, f"{imp}.negative_share_if_fixed", idea.stage),
                kpi=escape(idea.kpi),
                effort=EFFORT[language][idea.effort],
            )
        )
    return lines


def ideas_answer(
    ideas: IdeasResult,
    language: Language,
    root: str = "propose_improvements",
    limit: int | None = IDEAS_LISTED,
    escape: Callable[[str], str] = _same,
    surveys: bool = False,
) -> tuple[str, list[Claim]]:
    """The answer to "what should we do about <stage>?": a heading, then the ideas (and, with `surveys`,
    the survey questions for stages with too little evidence), with the claims the text makes."""
    t = T[language]
    said = Said()
    if not ideas.ideas:
        lines = [t["ideas_none"].format(stage=escape(ideas.stage), n=ideas.based_on_rows)]
    else:
        n = said.count(ideas.based_on_rows, f"{root}.based_on_rows", ideas.stage)
        lines = [t["ideas_head"].format(stage=escape(ideas.stage), n=n)]
        lines.extend(idea_lines(ideas, language, said, root, limit, escape))
    if surveys:
        for block in ideas.survey_questions:
            lines.append(t["survey_for"].format(stage=escape(block.stage)))
            lines.extend(_questions(block, escape))
    return "\n".join(lines), said.claims


# --- survey questions -------------------------------------------------------------------------------------


def _questions(block: SurveyBlock, escape: Callable[[str], str] = _same) -> list[str]:
    return [f"- {escape(q.text)} ({q.scale})" for q in block.questions]


def survey_answer(blocks: Sequence[SurveyBlock], language: Language) -> str:
    """The comparable survey questions (same wording and scale) for the stages with too little feedback."""
    t = T[language]
    if not blocks:
        return t["survey_none"]
    lines = [t["survey_head"]]
    for block in blocks:
        lines.append(f"**{block.stage}**")
        lines.extend(_questions(block))
    return "\n".join(lines)


# --- the answer about one stage ---------------------------------------------------------------------------


def _stage_numbers(s: StageDiagnosis, at: str, said: Said) -> dict[str, str]:
    """A stage's negative rows, rows, negative share and its interval, as claims."""
    name = s.stage
    return {
        "neg": said.count(s.negative, f"{at}.negative", name),
        "n": said.count(s.n, f"{at}.n", name),
        "share": said.pct(s.negative_share, f"{at}.negative_share", name),
        "low": said.pct(s.ci_low, f"{at}.ci_low", name),
        "high": said.pct(s.ci_high, f"{at}.ci_high", name),
    }


def _counter(phrase: str, theme: Theme, th: str, stage: str, said: Said) -> str | None:
    """The theme's counter-evidence (positive comments on the same subject) with one quote, if any."""
    ce = theme.counter_evidence
    if not (ce.n and ce.quotes):
        return None
    return phrase.format(
        k=said.count(ce.n, f"{th}.counter_evidence.n", stage),
        quote=shorten(ce.quotes[0].text),
        id=ce.quotes[0].feedback_id,
    )


def _against(d: Diagnosis, t: dict[str, str]) -> str:
    if d.compare_to == "previous" and d.previous_window is not None:
        return t["previous"].format(since=d.previous_window.since, until=d.previous_window.until)
    return t["rest"]


def _stage_paragraph(
    d: Diagnosis, s: StageDiagnosis, language: Language, focus: bool, said: Said, root: str, out: _Text
) -> None:
    t = T[language]
    c = s.comparison
    at = f"{root}.stages[{d.stages.index(s)}]"
    name = s.stage
    if not c.testable:
        out.para(t["untestable"].format(stage=s.stage, n=said.count(s.n, f"{at}.n", name)))
        return
    cmp = f"{at}.comparison"
    head = t["focus" if focus else "worst"].format(
        stage=s.stage,
        **_stage_numbers(s, at, said),
        other=said.pct(c.share2, f"{cmp}.share2", name, "comparison", d.compare_to),
        against=_against(d, t),
        n_other=said.count(c.n_other, f"{cmp}.n_other", name, "comparison"),
    )
    head += t["significant" if c.significant else "not_significant"].format(
        p=said.p(c.p_adjusted, f"{cmp}.p_adjusted", name)
    )
    out.para(head)
    if s.themes:
        out.para(t["themes"])
        for j, theme in enumerate(s.themes[:THEMES_SHOWN]):
            if not theme.quotes:
                continue
            q = theme.quotes[0]
            th = f"{at}.themes[{j}]"
            out.item(
                t["theme"].format(
                    label=theme.label,
                    k=said.count(theme.n, f"{th}.n", name),
                    neg=said.count(s.negative, f"{at}.negative", name),
                    share=said.pct(theme.share_of_negative, f"{th}.share_of_negative", name),
                    quote=shorten(q.text),
                    id=q.feedback_id,
                )
            )
            out.item(_counter(t["counter"], theme, th, name, said) or t["no_counter"])
    if d.segment_by and s.gap.segments:
        items = ", ".join(
            t["segment_item"].format(
                value=label(g.value),
                share=said.pct(g.share_of_gap, f"{at}.gap.segments[{k}].share_of_gap", name),
            )
            for k, g in enumerate(s.gap.segments[:3])
        )
        out.para(t["segments"].format(column=d.segment_by, items=items))


def _metric_headline(d: Diagnosis, language: Language, said: Said, root: str) -> tuple[list[str], str | None]:
    """The first sentence in the metric the question asked for (counts or scores), and the stage it names;
    ([], None) for the negative share, whose paragraph is the headline itself."""
    t = T[language]
    mr = d.metric_ranking
    if mr is None or mr.metric == "negative_share":
        return [], None
    metric = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}.get(mr.metric, mr.metric)
    if not mr.stages or (mr.metric == "negative_count" and not mr.total_negative):
        return [t["no_score" if mr.metric != "negative_count" else "no_data"].format(metric=metric)], None
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
            metric=metric,
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


def diagnosis_answer(
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
    out = _Text()
    if d.scope is not None:
        out.para(context_line(d.scope, language))
    if d.n == 0:
        out.para(t["no_data"])
        return out.render(), []
    stage = d.stage(focus) if focus else None
    if focus and stage is None:
        return t["no_stage"].format(stage=focus, stages=", ".join(s.stage for s in d.stages)), []
    headline, named = ([], None) if focus else _metric_headline(d, language, said, root)
    for line in headline:
        out.para(line)
    if stage is None and named is not None:
        stage = d.stage(named)
    if stage is None and d.ranking:
        stage = d.stage(d.ranking[0])
    if stage is not None:
        first = len(out.paragraphs)
        _stage_paragraph(d, stage, language, focus is not None or named is not None, said, root, out)
        rc = d.ranking_confidence
        if focus is None and named is None and rc.top_two_within_noise and len(d.ranking) > 1:
            # Said in the first sentence's paragraph: the ranking's first place is the answer in question.
            out.paragraphs[first][0] += " " + t["noise"].format(a=d.ranking[0], b=d.ranking[1])
    if ideas is not None and ideas.ideas:
        out.para(t["ideas"])
        for line in idea_lines(ideas, language, said, ideas_root, IDEAS_IN_DIAGNOSIS):
            out.item(line)
    warnings = render_all([w.model_dump() for w in d.warning_details], language)
    if warnings:
        out.para(t["warnings"])
        for w in warnings:
            out.item(f"- {w}")
    out.para(
        t["based"].format(
            n=said.count(d.n, f"{root}.n", None),
            unassigned=said.count(d.unassigned.n, f"{root}.unassigned.n", None),
        )
    )
    return out.render(), said.claims


# --- the full report: every stage, worst first (the CLI and the demo) -------------------------------------


def diagnosis_report(
    d: Diagnosis, language: Language, max_themes: int = THEMES_SHOWN, root: str = "diagnose_journey"
) -> tuple[str, list[Claim]]:
    """Every stage the ranking holds, worst first, with its test, themes, a quote and counter-evidence each,
    how sure the ranking is and the warnings; with the claims the text makes."""
    t = T[language]
    said = Said()
    against = _against(d, t)
    lines = [
        t["report_head"].format(
            map=d.map,
            n=said.count(d.n, f"{root}.n", None),
            unassigned=said.count(d.unassigned.n, f"{root}.unassigned.n", None),
        ),
        t["report_ranked"].format(against=against),
    ]
    rc = d.ranking_confidence
    rca = f"{root}.ranking_confidence"
    if rc.top_two_within_noise:
        share = said.pct(rc.top_stage_share, f"{rca}.top_stage_share", None)
        lines.insert(2, t["report_noise"].format(top=rc.top_stage, runner=rc.runner_up, share=share))
    elif rc.top_two_within_noise is False:
        share = said.pct(rc.top_stage_share, f"{rca}.top_stage_share", None)
        lines.insert(2, t["report_firm"].format(top=rc.top_stage, share=share))
    for pos, name in enumerate(d.ranking, start=1):
        s = d.stage(name)
        if s is None:
            continue
        at = f"{root}.stages[{d.stages.index(s)}]"
        c, cmp = s.comparison, f"{at}.comparison"
        line = t["report_stage"].format(pos=pos, name=name, **_stage_numbers(s, at, said))
        if c.testable:
            line += t["report_test"].format(
                against=against,
                other=said.pct(c.share2, f"{cmp}.share2", name, "comparison", d.compare_to),
                diff=said.points(c.difference, f"{cmp}.difference", name),
                p=said.p(c.p_adjusted, f"{cmp}.p_adjusted", name),
            )
            line += t["report_significant"] if c.significant else ""
        if s.small_sample:
            line += t["report_small"]
        lines.append(line)
        for j, theme in enumerate(s.themes[:max_themes]):
            th = f"{at}.themes[{j}]"
            lines.append(
                t["report_theme"].format(
                    label=theme.label,
                    n=said.count(theme.n, f"{th}.n", name),
                    share=said.pct(theme.share_of_negative, f"{th}.share_of_negative", name),
                )
            )
            for q in theme.quotes[:1]:
                lines.append(t["report_quote"].format(quote=shorten(q.text), id=q.feedback_id))
            counter = _counter(t["report_counter"], theme, th, name, said)
            if counter is not None:
                lines.append(counter)
    if rc.low_confidence_share is not None:
        lines.append(
            t["report_certainty"].format(
                low=said.count(rc.low_confidence_rows, f"{rca}.low_confidence_rows", None),
                low_share=said.pct(rc.low_confidence_share, f"{rca}.low_confidence_share", None),
                unassigned=said.pct(rc.unassigned_share, f"{rca}.unassigned_share", None),
            )
        )
    for text in render_all([w.model_dump() for w in d.warning_details], language):
        lines.append(t["report_warning"].format(text=text))
    return "\n".join(lines), said.claims
