"""A drafted map's citations checked against stored rows, without a store (assistant.maps.evidence)."""

from __future__ import annotations

from assistant.contracts.feedback_records import StoredFeedback
from assistant.domain import map_from_data
from assistant.maps.evidence import cited_ids, ground_evidence


def stored(fid: str, text: str, row: int) -> StoredFeedback:
    return StoredFeedback(
        feedback_id=fid,
        source="reviews.csv",
        file_name="reviews.csv",
        row=row,
        external_id=None,
        text=text,
        rating=None,
        rating_type=None,
        date=None,
        channel=None,
        stage_label=None,
        columns={},
    )


JOURNEY = map_from_data(
    {
        "title": "Shop",
        "stages": [
            {
                "name": "Checkout",
                "steps": [
                    {
                        "action": "Pay",
                        "pain_points": [
                            {
                                "description": "Card declined",
                                "provenance": "feedback",
                                "evidence": [
                                    {"feedback_id": "f1", "quote": "card  was declined", "row": 99},
                                    {"feedback_id": "f2", "quote": "words never written"},
                                ],
                            },
                            {
                                "description": "Slow page",
                                "provenance": "feedback",
                                "evidence": [{"feedback_id": "f9", "quote": "slow"}],
                            },
                            {"description": "Hidden fees", "provenance": "asserted"},
                        ],
                    }
                ],
            }
        ],
    }
)
ROWS = {
    "f1": stored("f1", "My card was declined twice.", 4),
    "f2": stored("f2", "Fine overall.", 5),
}


def test_only_verbatim_citations_of_stored_rows_are_kept_as_stored() -> None:
    assert cited_ids(JOURNEY) == ["f1", "f2", "f9"]
    grounded, notes = ground_evidence(JOURNEY, ROWS)
    declined, slow, fees = grounded.stages[0].steps[0].pain_points
    assert [(e.feedback_id, e.row, e.source_file) for e in declined.evidence] == [("f1", 4, "reviews.csv")]
    assert declined.provenance == "feedback"
    assert slow.evidence == [] and slow.provenance == "inferred"
    assert fees.provenance == "asserted"
    assert notes == [
        "dropped evidence 'f2' for 'Card declined': not a verbatim stored feedback row",
        "dropped evidence 'f9' for 'Slow page': not a verbatim stored feedback row",
        "marked 'Slow page' as inferred: it cites no stored feedback",
    ]


def test_a_map_citing_nothing_is_unchanged() -> None:
    plain = map_from_data({"title": "Shop", "stages": [{"name": "Browse"}]})
    assert cited_ids(plain) == []
    grounded, notes = ground_evidence(plain, {})
    assert notes == [] and grounded.model_dump(exclude={"created_at", "updated_at"}) == plain.model_dump(
        exclude={"created_at", "updated_at"}
    )
