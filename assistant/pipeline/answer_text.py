"""Answers written from the workspace's results by code, in Korean or English.

The embedded mode answers diagnosis and ideas questions this way (no model needed, so they are ready
while the model still loads), and every mode falls back to it when a model's answer fails the
grounding check twice. The diagnosis and ideas texts come from the one renderer every face uses
(assistant/analysis/render.py), with the claims they make; search answers quote the passages found.
"""

from __future__ import annotations

from assistant.analysis.render import diagnosis_answer, shorten
from assistant.contracts.results import SearchResult
from journey_tools.language import Language

compose_diagnosis = diagnosis_answer

T: dict[Language, dict[str, str]] = {
    "en": {
        "search_head": "Most relevant passages for “{query}”:",
        "search_none": "Nothing relevant was found for “{query}”.",
    },
    "ko": {
        "search_head": "“{query}”와 가장 관련 있는 내용:",
        "search_none": "“{query}”와 관련된 내용을 찾지 못했습니다.",
    },
}


def compose_search(result: SearchResult, language: Language) -> str:
    t = T[language]
    if not result.hits:
        return t["search_none"].format(query=result.query)
    lines = [t["search_head"].format(query=result.query)]
    for hit in result.hits:
        where = hit.metadata.get("title") or hit.source
        # Quoted under its id: the passage's words (and numbers) are its author's, checked verbatim.
        lines.append(f"- **{where}** ({hit.location}): “{shorten(hit.text)}” [{hit.id}]")
    return "\n".join(lines)
