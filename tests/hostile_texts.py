"""Hostile text for export tests, and the small journey maps the export tests share.

Every string here is something a customer or a colleague could type into feedback or a map, and that
breaks a naive exporter: spreadsheet formulas, HTML that runs, Mermaid syntax, sizes, scripts that run
right to left, invisible characters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistant.domain import JourneyMap, map_from_data

FORMULA_TEXTS = [
    "=cmd|' /C calc'!A0",
    "+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=2",
    "'quoted",
    "''twice quoted",
    '=HYPERLINK("http://evil.example","click")',
]
HTML_TEXTS = [
    "<script>window.__pwned = true</script>",
    '<img src=x onerror="window.__pwned = true">',
    "</td></tr></table><h1>broken layout</h1>",
    '"><svg onload=window.__pwned=true>',
    "&amp; &lt;b&gt; entities",
]
MERMAID_TEXTS = [
    "a:b;c#d",
    "first line\nsecond line\r\nthird",
    "%%{init: {'theme':'dark'}}%%",
    "---",
    "Title of the step: 3: Me",
    "journey planning",
    "section break",
    "x: 5: Mallory, Eve",
    "#58; already an entity code",
]
OTHER_TEXTS = [
    "😀🚀 emoji 👩‍👩‍👧",
    "مرحبا بالعالم",
    "שלום עולם",
    "zero\u200bwidth\u200djoiner\ufeffbom\u202eevil",
    "대출 한도 조회에서 막혔어요: 서류가 너무 많아요!",
    "control\x00chars\x07here",
]
LONG_TEXT = ("Long text that keeps going; " * 200)[:4990] + " END"

HOSTILE_TEXTS = FORMULA_TEXTS + HTML_TEXTS + MERMAID_TEXTS + OTHER_TEXTS + [LONG_TEXT]
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

FIXED_TIME = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


def minimal_map() -> JourneyMap:
    """The smallest map the model accepts: a title and two empty stages."""
    return map_from_data({"title": "Loan application", "stages": [{"name": "Discover"}, {"name": "Apply"}]})


def _evidence(quote: str, row: int) -> dict[str, Any]:
    return {
        "feedback_id": f"fb-{row}",
        "source_file": "feedback.csv",
        "row": row,
        "quote": quote,
        "sentiment": "negative",
    }


def full_map() -> JourneyMap:
    """An English map that fills every field the model has."""
    return map_from_data(
        {
            "title": "Online store: first purchase",
            "journey_type": "new_customer",
            "state": "current",
            "scope": "From seeing an advert to receiving the first parcel.",
            "goal": "Find where first-time buyers give up.",
            "language": "en",
            "created_at": "2025-01-02T03:04:05Z",
            "updated_at": "2025-02-03T04:05:06.789000+09:00",
            "version": 7,
            "personas": [
                {
                    "name": "Busy parent",
                    "age": "35-44",
                    "occupation": "Nurse",
                    "life_situation": "Two children, works shifts",
                    "professional_goals": ["Finish shifts on time"],
                    "personal_goals": ["More time with family"],
                    "needs": ["Fast checkout", "Clear delivery dates"],
                    "frustrations": ["Surprise shipping fees"],
                    "behaviours": ["Shops on the phone at night"],
                    "channels": ["app", "web"],
                    "quote": "If it takes more than five minutes, I give up.",
                    "segment": "Families",
                    "buying_role": "decision_maker",
                },
                {"name": "Student", "age": "21", "channels": ["social"]},
            ],
            "stages": [
                {
                    "name": "Discover",
                    "description": "The customer learns that the store exists.",
                    "goal": "Find a trustworthy shop",
                    "steps": [
                        {
                            "action": "Sees an advert on social media",
                            "touchpoint": "Instagram ad",
                            "channel": "social",
                            "phase": "pre",
                            "front_stage": "Targeted advert with a discount code",
                            "back_stage": "Marketing team runs the campaign",
                            "thoughts": "Is this shop real?",
                            "emotion": {"score": 0, "label": "curious"},
                        },
                        {
                            "action": "Reads reviews",
                            "touchpoint": "Product page",
                            "channel": "web",
                            "phase": "pre",
                            "emotion": {"score": 1, "label": "reassured"},
                            "opportunities": [
                                {
                                    "description": "Show verified-buyer badges",
                                    "expected_impact": "+5% add-to-cart",
                                    "effort": "low",
                                    "feasibility": "high",
                                    "desirability": "medium",
                                    "viability": "high",
                                    "kpi": "Add-to-cart rate",
                                    "owner": "Product team",
                                }
                            ],
                        },
                    ],
                    "kpis": [
                        {
                            "name": "Click-through rate",
                            "definition": "Clicks / impressions",
                            "target": "2%",
                            "data_source": "Ad platform",
                            "cadence": "Weekly",
                            "owner": "Marketing",
                            "rationale": "Shows whether the message attracts the segment",
                        }
                    ],
                },
                {
                    "name": "Checkout",
                    "goal": "Pay without surprises",
                    "steps": [
                        {
                            "action": "Enters card details",
                            "touchpoint": "Checkout page",
                            "channel": "app",
                            "phase": "during",
                            "front_stage": "Payment form",
                            "back_stage": "Payment provider checks the card",
                            "thoughts": "Why is shipping so expensive?",
                            "emotion": {"score": -2, "label": "annoyed"},
                            "pain_points": [
                                {
                                    "description": "Shipping fee appears only at the last step",
                                    "severity": 5,
                                    "provenance": "feedback",
                                    "evidence": [_evidence("The fee showed up at the very end.", 12)],
                                },
                                {
                                    "description": "Form forgets the address",
                                    "severity": 2,
                                    "provenance": "inferred",
                                },
                            ],
                            "moment_of_truth": {
                                "is_moment": True,
                                "why": "Half of first-time buyers leave here.",
                            },
                        }
                    ],
                },
                {"name": "Delivery", "description": "Nothing mapped yet."},
            ],
        }
    )


def korean_map() -> JourneyMap:
    """A Korean mobile-loan map."""
    return map_from_data(
        {
            "title": "모바일 신용대출 신청",
            "journey_type": "new_customer",
            "language": "ko",
            "created_at": "2025-03-01T00:00:00Z",
            "updated_at": "2025-03-02T00:00:00Z",
            "personas": [
                {
                    "name": "첫 대출을 알아보는 직장인",
                    "age": "29",
                    "quote": "금리가 얼마인지 먼저 알고 싶어요.",
                }
            ],
            "stages": [
                {
                    "name": "탐색",
                    "goal": "나에게 맞는 상품 찾기",
                    "steps": [
                        {
                            "action": "앱에서 한도 조회를 누른다",
                            "touchpoint": "모바일 앱 홈 화면",
                            "channel": "app",
                            "thoughts": "신용점수가 떨어지지 않을까?",
                            "emotion": {"score": -1, "label": "불안"},
                            "pain_points": [
                                {"description": "조회가 신용점수에 영향을 주는지 설명이 없다", "severity": 4}
                            ],
                        }
                    ],
                    "kpis": [{"name": "한도 조회 완료율", "target": "70%"}],
                },
                {
                    "name": "신청",
                    "steps": [
                        {
                            "action": "신분증을 촬영해 제출한다",
                            "channel": "app",
                            "emotion": {"score": -2, "label": "답답함"},
                            "moment_of_truth": {"is_moment": True, "why": "여기서 이탈이 가장 많다"},
                            "opportunities": [
                                {"description": "촬영 가이드를 화면에 겹쳐 보여준다", "effort": "medium"}
                            ],
                        },
                        {
                            "action": "승인 알림을 받는다",
                            "channel": "app",
                            "emotion": {"score": 2, "label": "안도"},
                        },
                    ],
                },
                {"name": "실행"},
            ],
        }
    )


def hostile_map() -> JourneyMap:
    """A map whose every text field, name and quote comes from the hostile corpus."""
    texts = HOSTILE_TEXTS

    def t(i: int) -> str:
        return texts[i % len(texts)]

    def name(i: int) -> str:
        # Names are capped at 200 characters and stage names must be unique.
        return f"{t(i)[:180]} {i}"

    stages = []
    for i, text in enumerate(texts):
        steps = [
            {
                "action": text,
                "touchpoint": t(i + 1),
                "channel": "web",
                "front_stage": t(i + 2),
                "back_stage": t(i + 3),
                "thoughts": t(i + 4),
                "emotion": {"score": i % 5 - 2, "label": t(i + 5)},
                "pain_points": [{"description": t(i + 6), "evidence": [_evidence(t(i + 7), i + 1)]}],
                "moment_of_truth": {"is_moment": i % 3 == 0, "why": t(i + 8)},
                "opportunities": [
                    {
                        "description": t(i + 9),
                        "expected_impact": t(i + 10),
                        "kpi": t(i + 11),
                        "owner": t(i + 12),
                    }
                ],
            }
        ]
        stages.append(
            {
                "name": name(i),
                "description": t(i + 13),
                "goal": t(i + 14),
                "steps": steps if i % 7 != 6 else [],
                "kpis": [{"name": name(i + 15), "definition": t(i + 16), "target": t(i + 17)}],
            }
        )
    personas = [
        {"name": name(i), "quote": t(i + 1), "needs": [t(i + 2)], "occupation": t(i + 3)} for i in range(3)
    ]
    return map_from_data(
        {
            "title": name(0),
            "scope": t(9),
            "goal": t(10),
            "personas": personas,
            "stages": stages[:30],
            "created_at": FIXED_TIME.isoformat(),
            "updated_at": FIXED_TIME.isoformat(),
        }
    )
