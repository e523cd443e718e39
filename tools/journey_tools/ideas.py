"""Improvement ideas for pain themes, scored by expected effect, and comparable survey questions.

An idea is chosen for what the theme's comments say, within the map's domain: every playbook entry
(tools/journey_tools/resources/improvement_playbook.json) names the problem it solves and the domains it fits
(airline, telecom, delivery, retail, finance, software, hospitality, health, public, or any). The map's
domain is inferred from its title and stages (`infer_domain`, by meaning against the playbook's domain
descriptions); among the entries of that domain, the one whose problem is closest in meaning to the
theme's label and quotes is chosen when it stands out from the others (MIN_MARGIN), else the generic
"investigate" idea. So a luggage theme of an airline gets the airline's bag idea, never a parcel
delivery window, and a loan map never gets a shopping cart. Each idea says where it came from
(`playbook_id`, `domain`, `match_score`, the quotes it was matched on). Without an embedding function
the entries' trigger words are matched instead, still within the domain.

Expected impact is computed, not guessed: a theme's share of the stage's negative comments times a
severity (1-5), and the stage's negative share if the theme's complaints disappeared. Effort comes
from the user when given, else from the matched entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import numpy as np

from journey_tools.language import Language

Embed = Callable[[Sequence[str]], np.ndarray]
"""Texts in, L2-normalised vectors out (the workspace passes its embedder's encoder)."""
MIN_MARGIN = 0.015
"""The best entry's similarity must exceed the mean over the domain's entries by this much, or the
theme gets the generic idea (the quotes match no known problem well)."""

Level = Literal["low", "medium", "high"]
EFFORT_WEIGHT: dict[str, float] = {"low": 1.0, "medium": 2.0, "high": 3.0}
_BLOCKING = re.compile(
    r"(gave up|give up|can't|cannot|couldn't|never|impossible|cancel|포기|못\s?했|못\s?해|안\s?돼|해지|결국)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def playbook() -> dict[str, Any]:
    text = resources.files("journey_tools.resources").joinpath("improvement_playbook.json").read_text("utf-8")
    return dict(json.loads(text))


def entries(domain: str | None) -> list[dict[str, Any]]:
    """The playbook entries that fit a domain (all of them when the domain is unknown)."""
    return [
        p for p in playbook()["patterns"] if domain is None or "any" in p["domains"] or domain in p["domains"]
    ]


def infer_domain(map_text: str, embed: Embed | None = None) -> str | None:
    """The playbook domain a map is about, from its title and stages: by meaning with `embed`, else by
    the words the map shares with each domain's description; None when nothing matches."""
    domains: dict[str, str] = playbook()["domains"]
    names = list(domains)
    if embed is not None:
        sims = embed(list(domains.values())) @ embed([map_text])[0]
        return names[int(np.argmax(sims))]
    words = set(re.findall(r"[a-z가-힣]{2,}", map_text.casefold()))
    hits = [len(words & set(re.findall(r"[a-z가-힣]{2,}", d.casefold()))) for d in domains.values()]
    return names[int(np.argmax(hits))] if max(hits) else None


def _problem_text(pattern: Mapping[str, Any]) -> str:
    return f"{pattern['problem']['en']} / {pattern['problem']['ko']}"


def _match(
    theme: Mapping[str, Any], domain: str | None, embed: Embed | None
) -> tuple[dict[str, Any] | None, float | None]:
    """The entry for a theme and its similarity (None, None: no entry fits)."""
    candidates = entries(domain)
    if not candidates:
        return None, None
    quotes = [q["text"] for q in theme.get("quotes", [])]
    if embed is not None:
        query = embed([theme["label"], *quotes]).mean(axis=0)
        query = query / (np.linalg.norm(query) or 1.0)
        sims = embed([_problem_text(p) for p in candidates]) @ query
        best = int(np.argmax(sims))
        if len(candidates) > 1 and sims[best] - float(np.mean(sims)) < MIN_MARGIN:
            return None, round(float(sims[best]), 4)
        return candidates[best], round(float(sims[best]), 4)
    words = " ".join([theme["label"], *quotes]).casefold()
    best_pattern, best_hits = None, 0
    for pattern in candidates:
        hits = sum(1 for t in pattern["triggers"] if re.search(rf"(^|\W){re.escape(t.casefold())}", words))
        # A hit in the label itself counts double: it is what most comments share.
        hits += sum(1 for t in pattern["triggers"] if t.casefold() in theme["label"].casefold())
        if hits > best_hits:
            best_pattern, best_hits = pattern, hits
    return best_pattern, None


def severity(theme: Mapping[str, Any], moment_of_truth: bool) -> int:
    """3 by default; +1 when quotes show customers blocked or giving up; +1 at a moment of truth."""
    quotes = theme.get("quotes", [])
    blocked = sum(1 for q in quotes if _BLOCKING.search(q["text"]))
    return min(5, 3 + (1 if quotes and blocked / len(quotes) >= 0.3 else 0) + (1 if moment_of_truth else 0))


def _level_from_share(share: float) -> Level:
    return "high" if share >= 0.3 else "medium" if share >= 0.1 else "low"


def ideas_for_stage(
    stage: Mapping[str, Any],
    language: Language = "en",
    efforts: Mapping[str, Level] | None = None,
    moment_of_truth: bool = False,
    owner: str = "",
    domain: str | None = None,
    embed: Embed | None = None,
) -> list[dict[str, Any]]:
    """Ideas for each pain theme of one diagnosed stage (an entry of the diagnosis `stages` list), chosen
    among the playbook entries of `domain` (see `infer_domain`) by meaning with `embed`."""
    efforts = efforts or {}
    out = []
    n, negatives = stage["n"], stage["negative"]
    for theme in stage["themes"]:
        pattern, score = _match(theme, domain, embed)
        source = pattern or playbook()["fallback"]
        fill = {"label": theme["label"], "stage": stage["stage"]}
        description = source[language].format(**fill)
        kpi = source["kpi"][language].format(**fill)
        effort: Level = efforts.get(theme["label"], source["effort"])
        share = float(theme["share_of_negative"] or 0.0)
        sev = severity(theme, moment_of_truth)
        impact = round(share * sev / 5, 4)
        out.append(
            {
                "stage": stage["stage"],
                "theme": theme["label"],
                "idea": description,
                "pattern": "playbook" if pattern else "generic",
                "playbook_id": pattern["id"] if pattern else None,
                "domain": domain,
                "match_score": score,
                "matched_on": [q["feedback_id"] for q in theme.get("quotes", [])],
                "kpi": kpi,
                "expected_impact": {
                    "negatives_addressed": theme["n"],
                    "share_of_stage_negative": share,
                    "severity": sev,
                    "score": impact,
                    "negative_share_now": round(negatives / n, 4) if n else None,
                    "negative_share_if_fixed": theme["negative_share_without_theme"],
                    "based_on_rows": n,
                },
                "effort": effort,
                "effort_source": "user" if theme["label"] in efforts else "estimated",
                "feasibility": {"low": "high", "medium": "medium", "high": "low"}[effort],
                "desirability": _level_from_share(share),
                "viability": "high" if moment_of_truth or share >= 0.3 else "medium",
                "priority": round(impact / EFFORT_WEIGHT[effort], 4),
                "measurement": measurement_plan(stage["stage"], kpi, language, owner),
            }
        )
    return sorted(out, key=lambda i: -i["priority"])


def measurement_plan(stage: str, kpi: str, language: Language, owner: str = "") -> dict[str, str]:
    """Who measures what, when, and why."""
    if language == "ko":
        return {
            "who": owner or f"{stage} 단계 담당 PM",
            "what": f"{kpi}, 그리고 {stage} 단계 부정 의견 비율 (같은 질문·같은 척도)",
            "when": "출시 전 4주를 기준선으로, 출시 후 8주간 매주",
            "why": "개선이 실제로 고객 불만을 줄였는지 확인하고, 효과가 없으면 다음 아이디어로 넘어가기 위해",
        }
    return {
        "who": owner or f"Product owner of the {stage} stage",
        "what": f"{kpi}, plus the negative feedback share in {stage} (same question, same scale)",
        "when": "Baseline over the 4 weeks before launch, then weekly for 8 weeks after",
        "why": "To confirm the change reduced the complaints it targets, and to drop it if it did not",
    }


SURVEY_TEMPLATES: dict[Language, list[dict[str, Any]]] = {
    "en": [
        {"id": "ces", "text": "How easy was it to {task}?", "scale": "1 (very difficult) - 7 (very easy)"},
        {
            "id": "csat",
            "text": "How satisfied are you with {stage}?",
            "scale": "1 (very dissatisfied) - 5 (very satisfied)",
        },
        {
            "id": "open",
            "text": "What, if anything, made {stage} harder than it should have been?",
            "scale": "open text",
        },
    ],
    "ko": [
        {"id": "ces", "text": "{task} 과정은 얼마나 쉬웠나요?", "scale": "1 (매우 어려움) - 7 (매우 쉬움)"},
        {
            "id": "csat",
            "text": "{stage} 단계에 얼마나 만족하시나요?",
            "scale": "1 (매우 불만족) - 5 (매우 만족)",
        },
        {
            "id": "open",
            "text": "{stage} 단계에서 불필요하게 어렵게 느껴진 점이 있었다면 알려주세요.",
            "scale": "주관식",
        },
    ],
}


def _task(goal: str, language: Language) -> str:
    """A stage goal as the object of "How easy was it to …?": no trailing full stop, and in English a
    lower-case first letter unless the first word is an acronym or a name written in capitals."""
    task = goal.strip().rstrip(".。!")
    if language == "en" and task[:1].isupper() and not task.split(" ", 1)[0].isupper():
        task = task[0].lower() + task[1:]
    return task


def survey_questions(stages: Sequence[Mapping[str, str]], language: Language = "en") -> list[dict[str, Any]]:
    """The same questions and scales for every stage, so answers compare across stages.

    Each stage mapping has `name` and optionally `goal` (the customer's goal, used as the task)."""
    out = []
    for stage in stages:
        task = _task(stage.get("goal") or "", language) or (
            f"complete {stage['name']}" if language == "en" else stage["name"]
        )
        out.append(
            {
                "stage": stage["name"],
                "questions": [
                    {
                        "id": q["id"],
                        "text": q["text"].format(task=task, stage=stage["name"]),
                        "scale": q["scale"],
                    }
                    for q in SURVEY_TEMPLATES[language]
                ],
            }
        )
    return out
