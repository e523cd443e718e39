"""Korean themes: a complaint spread over compounds (본인인증, 인증번호, 인증) is one theme, and pieces of
verb endings never become one."""

from __future__ import annotations

from journey_tools.text import terms_and_parts
from journey_tools.themes import Comment, find_themes


def test_a_complaint_written_in_compounds_is_one_theme() -> None:
    negatives = [
        Comment("a", "밤새 신청서 쓰다가 본인인증에서 막혀서 그냥 잤다"),
        Comment("b", "휴대폰 인증번호가 3분 안에 안 와서 세 번 재요청"),
        Comment("c", "본인인증 다섯 번째 실패. 통신사 인증도 안 되고"),
        Comment("d", "사진 업로드가 계속 실패함"),
        Comment("e", "화면이 중간에 멈춰서 처음부터 다시"),
    ]
    themes = find_themes(negatives, [Comment("p", "인증은 빨라졌네요")])
    theme = next(t for t in themes if "인증" in t.terms)
    assert theme.n == 3 and {q.feedback_id for q in theme.quotes} == {"a", "b", "c"}
    assert theme.counter_n == 1  # the positive row that says 인증 is its counter-evidence


def test_pieces_of_endings_are_not_themes() -> None:
    # "주세" ends 알려주세요 and is what a stem of 주세요 looks like: not a customer's word.
    assert "주세" not in terms_and_parts("진행 상황을 알려주세요")[1]
    negatives = [Comment(str(i), f"결과가 언제 나오는지 알려주세요 {i}") for i in range(3)]
    negatives += [Comment(f"x{i}", f"주세요 답변 좀 {i}") for i in range(2)]
    labels = {t for theme in find_themes(negatives) for t in theme.terms}
    assert "주세" not in labels
