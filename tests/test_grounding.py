"""The grounding check: numbers must come from the turn's tool results, quotes from the store."""

from __future__ import annotations

from checkout_result import CHECKOUT, FID

from assistant.turns.grounding import check_answer

RESULT = CHECKOUT
STORED = {FID: "Payment failed and the card was declined again (3)"}


def test_numbers_as_people_write_them_are_accepted() -> None:
    text = (
        "Checkout: 30 of 60 rows are negative (50%, 95% CI 38%–62%), 10.4 points above the rest "
        "(p = 0.0012); NPS -18.2. Since 2026-04-01 (2026-Q2), v3."
    )
    report = check_answer(text, [RESULT], STORED)
    assert report.ok, report.problems()
    assert report.numbers_checked >= 8


def test_invented_numbers_are_caught_by_their_form() -> None:
    report = check_answer("Checkout: 31 of 60 rows are negative (47%), NPS -20.", [RESULT], STORED)
    assert not report.ok
    assert set(report.unsupported_numbers) == {"31", "47%", "-20"}
    # 60 is a count, but "60%" is not a share any tool gave.
    assert check_answer("60% of rows", [RESULT], STORED).unsupported_numbers == ["60%"]


def test_quotes_must_be_verbatim_under_their_own_id() -> None:
    good = "“Payment failed and the card was declined” [abcdef1234567890abcd]"
    assert check_answer(good, [RESULT], STORED).ok
    changed = "“Payment failed twice and the card was declined” [abcdef1234567890abcd]"
    assert "does not say" in check_answer(changed, [RESULT], STORED).problems()
    unknown = "“Payment failed” [0000000000000000ffff]"
    assert "does not exist" in check_answer(unknown, [RESULT], STORED).problems()
    # The customer's own numbers inside a quote are theirs, not the assistant's claims.
    assert check_answer(good.replace("declined”", "declined again (3)”"), [RESULT], STORED).ok


def test_korean_answers_are_checked_the_same_way() -> None:
    text = "Checkout 단계: 피드백 60건 중 30건이 부정적입니다(50%, 95% 신뢰구간 38%–62%)."
    assert check_answer(text, [RESULT], STORED).ok
    assert check_answer("Checkout: 피드백 61건 중 30건", [RESULT], STORED).unsupported_numbers == ["61"]
    # A number with no stage named is not tied to the stage it belongs to.
    assert check_answer("피드백 60건 중 30건", [RESULT], STORED).unsupported_numbers == ["60", "30"]
