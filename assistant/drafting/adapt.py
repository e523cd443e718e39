"""Adapting a reference journey to a brief, in code: the reference in the brief's language, the brief's
customer and words kept, the channel the brief names, as many personas as asked, and an origin on every
piece (what the reference gave, what the brief changed, what was composed here and is an inference)."""

from __future__ import annotations

import copy
import re
from typing import Any

from assistant.drafting.brief import BriefFacts, short_title
from assistant.drafting.library import Reference
from assistant.drafting.scope import read_span, scope_stages
from journey_tools.language import Language

# Touchpoint words that mean "on a website", with what they become when the brief says mobile.
_TO_APP: dict[Language, list[tuple[re.Pattern[str], str]]] = {
    "en": [
        (re.compile(r"\bweb ?pages?\b", re.I), "app screen"),
        (re.compile(r"\bwebsites?\b", re.I), "app"),
        (re.compile(r"\bweb portal\b", re.I), "app"),
        (re.compile(r"\bportal\b", re.I), "app"),
        (re.compile(r"\bonline form\b", re.I), "in-app form"),
        (re.compile(r"\bweb\b", re.I), "app"),
    ],
    "ko": [
        (re.compile(r"웹사이트|홈페이지|웹 ?페이지|인터넷 ?뱅킹|웹"), "앱"),
        (re.compile(r"PC"), "모바일"),
    ],
}

EXTRA_PERSONA: dict[Language, list[dict[str, str]]] = {
    "en": [
        {
            "adjective": "Time-pressed",
            "situation": "Fits the journey between work and family and wants each step done in a few minutes",
            "quote": "If it takes more than a few taps, I'll come back to it later, or never.",
            "behaviour": "Does everything on the phone in short gaps of time",
        },
        {
            "adjective": "Experienced",
            "situation": "Has been through a similar journey before and compares every step with that one",
            "quote": "I know how this should work, so every extra step stands out.",
            "behaviour": "Reads the small print and compares providers before acting",
        },
    ],
    "ko": [
        {
            "adjective": "시간에 쫓기는",
            "situation": "일과 가정 사이 짬을 내어 여정을 진행하며, 한 단계가 몇 분 안에 끝나기를 바람",
            "quote": "몇 번 눌러서 안 끝나면 나중에 하려다 결국 안 하게 돼요.",
            "behaviour": "짧은 틈틈이 휴대폰으로 모든 일을 처리함",
        },
        {
            "adjective": "경험 많은",
            "situation": "비슷한 여정을 겪어 본 적이 있어 단계마다 그때와 비교함",
            "quote": "어떻게 돼야 하는지 아니까 쓸데없는 단계가 더 눈에 띄어요.",
            "behaviour": "약관과 조건을 꼼꼼히 읽고 여러 곳을 비교한 뒤 결정함",
        },
    ],
}


def _origin(ref: Reference, **fields: str) -> dict[str, Any]:
    return {"source": "reference", "reference": ref.id, "fields": dict(fields)}


def _to_app(text: str, language: Language) -> str:
    for pattern, replacement in _TO_APP[language]:
        text = pattern.sub(replacement, text)
    return text


def extra_persona(data: dict[str, Any], facts: BriefFacts, index: int, language: Language) -> dict[str, Any]:
    """A further persona composed from the map itself (its stage goals, pain points, opportunities and
    channels), so it stays consistent with the journey; marked as inferred."""
    style = EXTRA_PERSONA[language][index % len(EXTRA_PERSONA[language])]
    base = data["personas"][0] if data["personas"] else {}
    stages = data["stages"]
    half = stages[len(stages) // 2 :] if index % 2 == 0 else stages[: max(1, len(stages) // 2)]
    pains = [p["description"] for s in half for st in s["steps"] for p in st.get("pain_points", [])]
    ideas = [o["description"] for s in half for st in s["steps"] for o in st.get("opportunities", [])]
    goals = [s["goal"] for s in half if s.get("goal")]
    channels = list(dict.fromkeys(st["channel"] for s in stages for st in s["steps"]))
    who = facts.who_head or facts.who or base.get("segment") or ("customer" if language == "en" else "고객")
    name = f"{style['adjective']} {who}"
    return {
        "name": name[:200],
        "occupation": base.get("occupation") or who,
        "life_situation": style["situation"],
        "personal_goals": goals[:3],
        "needs": ideas[:3],
        "frustrations": pains[:3],
        "behaviours": [style["behaviour"], *base.get("behaviours", [])[:1]],
        "channels": channels[:5],
        "quote": style["quote"],
        "segment": facts.who or base.get("segment", ""),
        "origin": {"source": "model", "fields": {"segment": "brief"} if facts.who else {}},
    }


def adapt_reference(ref: Reference, facts: BriefFacts, personas: int) -> tuple[dict[str, Any], list[str]]:
    """The reference as map data adapted to the brief, and what was changed (for the map's notes)."""
    language = facts.language
    data = copy.deepcopy(ref.map.model_dump(mode="json", exclude={"created_at", "updated_at", "version"}))
    changes: list[str] = []
    data["stages"], dropped = scope_stages(data["stages"], read_span(facts.text, language), language)
    if dropped:
        changes.append(
            f"Only the part the brief asks for: left out {', '.join(dropped)}"
            if language == "en"
            else f"브리프가 말한 구간만 그림: {', '.join(dropped)} 단계는 뺌"
        )
    mobile = facts.channel == "app"
    switched = 0
    for stage in data["stages"]:
        stage["origin"] = _origin(ref)
        for kpi in stage["kpis"]:
            kpi["origin"] = _origin(ref)
        for step in stage["steps"]:
            fields: dict[str, str] = {}
            if mobile and step["channel"] == "web":
                step["channel"] = "app"
                fields["channel"] = "brief"
                new = _to_app(step["touchpoint"], language)
                if new != step["touchpoint"]:
                    step["touchpoint"] = new
                    fields["touchpoint"] = "brief"
                switched += 1
            step["origin"] = _origin(ref, **fields)
            for pain in step["pain_points"]:
                if pain.get("provenance", "asserted") == "asserted":
                    pain["provenance"] = "inferred"  # typical of the domain, not said or measured here
                pain["origin"] = _origin(ref)
            for idea in step["opportunities"]:
                idea["origin"] = _origin(ref)
    if switched:
        changes.append(
            f"{switched} web step(s) drawn in the app, because the brief says mobile"
            if language == "en"
            else f"브리프가 모바일을 말하므로 웹 단계 {switched}개를 앱으로 바꿈"
        )
    # Personas: the reference's, with the brief's customer as their segment; more composed if asked.
    kept = data["personas"][:personas]
    for persona in kept:
        fields = {}
        if facts.who:
            persona["segment"] = facts.who[:5000]
            fields["segment"] = "brief"
        if mobile and "app" not in persona.get("channels", []):
            persona["channels"] = ["app", *persona.get("channels", [])][:9]
            fields["channels"] = "brief"
        persona["origin"] = _origin(ref, **fields)
    data["personas"] = kept
    while len(data["personas"]) < personas:
        data["personas"].append(extra_persona(data, facts, len(data["personas"]) - 1, language))
    if facts.journey:
        data["title"] = short_title(facts.journey, language)
    data["state"] = facts.state or "current"
    data["language"] = language
    data["notes"] = []
    return data, changes
