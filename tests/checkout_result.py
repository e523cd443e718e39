"""One small diagnosis result, written out by hand, for the tests of the claims check (test_claims.py) and
of the grounding report built on it (test_grounding.py): Checkout is the worst stage, Delivery the other."""

from __future__ import annotations

from typing import Any

FID = "abcdef1234567890abcd"
QUOTE = "Payment failed 47 times and the card was declined"

CHECKOUT: dict[str, Any] = {
    "stage": "Checkout",
    "n": 60,
    "negative": 30,
    "negative_share": 0.5,
    "ci_low": 0.3767,
    "ci_high": 0.6233,
    "comparison": {"stage": "Checkout", "share2": 0.3, "difference": 0.1042, "p_adjusted": 0.00123},
    "nps": {"n": 40, "nps": -18.2},
    "themes": [{"label": "payment failed", "n": 9, "quotes": [{"feedback_id": FID, "text": QUOTE}]}],
}
DELIVERY: dict[str, Any] = {
    "stage": "Delivery",
    "n": 40,
    "negative": 12,
    "negative_share": 0.3,
    "nps": {"n": 20, "nps": 12.0},
}
DIAGNOSIS: dict[str, Any] = {"n": 100, "stages": [CHECKOUT, DELIVERY]}
