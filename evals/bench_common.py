"""Shared pieces of the benchmarks: synthetic feedback texts, a timer, and result printing.

Benchmarks print ratios against a baseline measured in the same run, because absolute times on a
shared two-core machine move by tens of percent from one minute to the next.
"""

from __future__ import annotations

import json
import os
import platform
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Short phrase pools in the project's own words. A text is opener + subject + problem + closer, so a
# few dozen phrases give tens of thousands of distinct, realistic-looking comments in each language.
KO_OPENERS = [
    "",
    "솔직히 ",
    "이번에도 ",
    "처음 써봤는데 ",
    "어제 ",
    "몇 번 시도했지만 ",
    "친구 추천으로 왔는데 ",
]
KO_SUBJECTS = [
    "앱 로그인이",
    "결제 화면이",
    "배송 조회가",
    "상담원 연결이",
    "환불 처리가",
    "회원 가입 절차가",
    "쿠폰 적용이",
    "주문 취소가",
    "상품 검색이",
    "알림 메시지가",
    "포인트 적립이",
    "반품 접수가",
]
KO_PREDICATES = [
    "너무 느려요",
    "자꾸 오류가 나요",
    "생각보다 간단했어요",
    "헷갈려서 한참 헤맸어요",
    "빠르고 편했어요",
    "중간에 멈춰 버렸어요",
    "안내가 부족했어요",
    "기대 이상으로 좋았어요",
    "두 번이나 실패했어요",
    "무난했어요",
    "답답했어요",
    "깔끔하게 끝났어요",
]
KO_CLOSERS = [
    "",
    " 개선 부탁드려요.",
    " 다음에도 이용할게요.",
    " 좀 아쉽네요.",
    " 감사합니다.",
    " 다시는 안 쓸 듯.",
]

EN_OPENERS = [
    "",
    "Honestly, ",
    "Second time now: ",
    "First order and ",
    "Yesterday ",
    "As a long-time user, ",
]
EN_SUBJECTS = [
    "the app login",
    "the checkout page",
    "parcel tracking",
    "getting through to an agent",
    "the refund",
    "signing up",
    "applying the coupon",
    "cancelling my order",
    "product search",
    "the push notifications",
    "loyalty points",
    "the return request",
]
EN_PREDICATES = [
    "was painfully slow",
    "kept throwing errors",
    "was easier than expected",
    "confused me for ages",
    "was quick and smooth",
    "froze halfway through",
    "came with no explanation",
    "worked better than I hoped",
    "failed twice",
    "was fine",
    "was frustrating",
    "went without a hitch",
]
EN_CLOSERS = ["", " Please fix it.", " Will come back.", " A bit disappointing.", " Thanks!", " Never again."]


def feedback_text(rng: random.Random) -> str:
    """One short feedback comment, Korean or English (roughly half each)."""
    if rng.random() < 0.5:
        parts = (KO_OPENERS, KO_SUBJECTS, KO_PREDICATES, KO_CLOSERS)
    else:
        parts = (EN_OPENERS, EN_SUBJECTS, EN_PREDICATES, EN_CLOSERS)
    opener, subject, predicate, closer = (rng.choice(p) for p in parts)
    text = f"{opener}{subject} {predicate}{'' if closer else '.'}{closer}"
    return text[0].upper() + text[1:]


def distinct_texts(n: int, seed: int = 7) -> list[str]:
    """`n` distinct comments (the embedder would skip repeats, which would flatter any measurement)."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < n:
        attempts += 1
        text = feedback_text(rng)
        if attempts > 50 * n or text not in seen:  # the pools hold ~20k combinations; beyond that, reuse
            seen.add(text)
            out.append(text)
    return out


def texts_stream(n: int, seed: int = 11) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(n):
        yield feedback_text(rng)


@contextmanager
def timed(into: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        into[name] = time.perf_counter() - started


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Fastest wall time over `repeats` runs, and the last result (for short, repeatable steps)."""
    best = float("inf")
    result: Any = None
    for _ in range(max(repeats, 1)):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def machine() -> dict[str, Any]:
    import sqlite3

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
    }


def emit(result: dict[str, Any], as_json: bool, lines: list[str]) -> None:
    """Print either the JSON document or the human summary (benchmarks are scripts, so printing is fine)."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines))
