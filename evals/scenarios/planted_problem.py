"""Planted-problem scenario: 5,000 synthetic airline feedback rows with one known, local problem.

Six stages have ordinary background complaint rates (10-25% negative, each with its own themes).
One stage is worse for a known cause in one segment and one period only: in 2024-Q2, customers on
app version 5.2 complain at Check-in that the boarding pass QR code will not load or the app crashes
when opening it. A diagnosis tool must name that stage, that segment and that theme.

Two things make the scenario honest rather than easy:
- the segment mix shifts between quarters (version 5.2 rolls out, long-haul travel grows), so a
  mix-shift check has something real to look at;
- long-haul travellers are more critical of the In-flight stage in both quarters, so In-flight gets a
  little worse overall in Q2 purely because more long-haul customers answered (a decoy).

Run ``python -m evals.scenarios.planted_problem`` to write ``planted_problem.csv``,
``planted_problem_map.json`` and ``planted_problem_truth.json`` beside this file.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from evals.scenarios.planted_problem_phrases import CLOSERS, CONTEXTS, OPENERS, PHRASES, PLANTED_THEME

HERE = Path(__file__).resolve().parent
STAGES = list(PHRASES)
CSV_COLUMNS = ["id", "date", "channel", "app_version", "region", "plan", "comment", "rating"]
LABEL_COLUMNS = ["true_stage", "true_sentiment", "true_theme"]

# Which stage a piece of feedback is about (survey invitations follow the trip, so most rows are
# about the flight itself).
STAGE_SHARE = {
    "Booking": 0.19,
    "Check-in": 0.19,
    "Security & boarding": 0.15,
    "In-flight": 0.21,
    "Baggage claim": 0.11,
    "Customer service": 0.15,
}
# Background probability of a negative comment per stage; neutral share is the same everywhere.
BASE_NEGATIVE = {
    "Booking": 0.14,
    "Check-in": 0.15,
    "Security & boarding": 0.20,
    "In-flight": 0.12,
    "Baggage claim": 0.19,
    "Customer service": 0.21,
}
NEUTRAL = 0.12
# In-flight negativity by region (the decoy): stable within a region, different between regions.
IN_FLIGHT_NEGATIVE_BY_REGION = {"Domestic": 0.09, "Europe": 0.12, "Long-haul": 0.32}
PLANTED_NEGATIVE = 0.68  # Check-in, app 5.2, Q2
PLANTED_THEME_SHARE = 0.9  # of those negatives, share that are about the boarding pass QR / crash

Q1 = (date(2024, 1, 1), date(2024, 3, 31))
Q2 = (date(2024, 4, 1), date(2024, 6, 30))
MIX = {
    "Q1": {
        "app_version": {"5.0": 0.45, "5.1": 0.43, "5.2": 0.12},
        "region": {"Domestic": 0.58, "Europe": 0.30, "Long-haul": 0.12},
    },
    "Q2": {
        "app_version": {"5.0": 0.17, "5.1": 0.38, "5.2": 0.45},
        "region": {"Domestic": 0.45, "Europe": 0.25, "Long-haul": 0.30},
    },
}
CHANNEL = {"app": 0.55, "email": 0.35, "sms": 0.10}
PLAN = {"Basic": 0.45, "Standard": 0.38, "Flex": 0.17}
RATING_PRESENT = 0.88

TRUTH: dict[str, Any] = {
    "stage": "Check-in",
    "segment_column": "app_version",
    "segment_value": "5.2",
    "cause_theme_keywords": ["boarding pass", "QR code", "QR", "app crashes", "won't load"],
    "period": {"label": "2024-Q2", "start": Q2[0].isoformat(), "end": Q2[1].isoformat()},
    "decoy": {
        "stage": "In-flight",
        "segment_column": "region",
        "segment_value": "Long-haul",
        "explanation": "Long-haul customers rate In-flight lower in both quarters; their share rises "
        "from 12% to 30% in Q2, so In-flight looks worse in Q2 only through mix shift.",
    },
}

JOURNEY_MAP: dict[str, Any] = {
    "title": "Airline trip: booking to after-travel support",
    "journey_type": "other",
    "language": "en",
    "scope": "From searching a flight to the last contact with customer service after landing",
    "stages": [
        {
            "name": "Booking",
            "description": "Searching flights, choosing fares and seats, paying, changing a booking.",
            "steps": [
                {"action": "Searches and compares fares", "touchpoint": "Website, app", "channel": "web"},
                {
                    "action": "Pays and gets the confirmation",
                    "touchpoint": "Payment page, e-mail",
                    "channel": "web",
                },
            ],
        },
        {
            "name": "Check-in",
            "description": "Online, app, kiosk or desk check-in and getting the boarding pass.",
            "steps": [
                {"action": "Checks in online or in the app", "touchpoint": "App, website", "channel": "app"},
                {
                    "action": "Opens or prints the boarding pass",
                    "touchpoint": "Mobile boarding pass, kiosk",
                    "channel": "app",
                },
                {"action": "Drops bags at the desk", "touchpoint": "Check-in counter", "channel": "store"},
            ],
        },
        {
            "name": "Security & boarding",
            "description": "Security screening, waiting at the gate and boarding the aircraft.",
            "steps": [
                {"action": "Passes security", "touchpoint": "Security checkpoint", "channel": "other"},
                {
                    "action": "Boards by group at the gate",
                    "touchpoint": "Gate, announcements",
                    "channel": "other",
                },
            ],
        },
        {
            "name": "In-flight",
            "description": "The flight itself: seat, cabin, crew, food, entertainment and wifi.",
            "steps": [{"action": "Flies", "touchpoint": "Cabin crew, seat, screen", "channel": "other"}],
        },
        {
            "name": "Baggage claim",
            "description": "Collecting checked bags, lost or damaged luggage and claims.",
            "steps": [
                {
                    "action": "Waits at the carousel",
                    "touchpoint": "Baggage hall, service desk",
                    "channel": "other",
                }
            ],
        },
        {
            "name": "Customer service",
            "description": "Contacting the airline by phone, chat or e-mail about refunds, compensation or changes.",
            "steps": [
                {"action": "Contacts support", "touchpoint": "Call centre, chat, e-mail", "channel": "phone"}
            ],
        },
    ],
}


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


def _vary(rng: np.random.Generator, phrase: str, sentiment: str) -> str:
    """Light surface variation so repeated draws of one phrasing rarely produce identical text."""
    text = phrase
    if rng.random() < 0.15:
        text = text.lower()
    opener = OPENERS[sentiment][int(rng.integers(len(OPENERS[sentiment])))]
    if opener and text[:1].isupper() and not text.startswith(("I ", "I'")):
        text = text[0].lower() + text[1:]
    closer = CLOSERS[sentiment][int(rng.integers(len(CLOSERS[sentiment])))]
    if rng.random() < 0.3 and not text.endswith("?"):
        text += CONTEXTS[int(rng.integers(len(CONTEXTS)))]
    if text.endswith("?") and closer == "?":
        closer = ""
    if closer.startswith(" ") and closer[1:2].isupper() and not text.endswith(("?", "!", ".")):
        # "... minutes. Please fix." rather than "... minutes Please fix."; neutral rows are questions.
        text += "?" if sentiment == "neutral" else "."
    text = opener + text + closer
    if rng.random() < 0.04 and len(text) > 12:  # a typing slip: two neighbouring letters swapped
        i = int(rng.integers(1, len(text) - 2))
        if text[i].isalpha() and text[i + 1].isalpha():
            text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text


def _rating(rng: np.random.Generator, sentiment: str) -> int:
    """CSAT 1-5 that mostly follows the comment, with a little real-world disagreement."""
    if rng.random() < 0.05:
        return int(rng.integers(1, 6))
    table = {
        "negative": ([1, 2, 3], [0.55, 0.38, 0.07]),
        "neutral": ([2, 3, 4], [0.2, 0.55, 0.25]),
        "positive": ([4, 5], [0.4, 0.6]),
    }
    values, p = table[sentiment]
    return int(values[int(rng.choice(len(values), p=p))])


def _negative_probability(stage: str, region: str, planted: bool) -> float:
    if planted:
        return PLANTED_NEGATIVE
    if stage == "In-flight":
        return IN_FLIGHT_NEGATIVE_BY_REGION[region]
    return BASE_NEGATIVE[stage]


def generate(n_rows: int = 5000, seed: int = 7) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The journey map (plain data) and ``n_rows`` feedback rows; same seed, same output.

    Each row has the CSV columns plus ``true_stage``, ``true_sentiment`` and ``true_theme`` (the
    generator's own labels, for scoring; they are not written to the CSV by default).
    """
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for _ in range(n_rows):
        quarter = "Q1" if rng.random() < 0.5 else "Q2"
        start, end = Q1 if quarter == "Q1" else Q2
        day = start + timedelta(days=int(rng.integers((end - start).days + 1)))
        version = _pick(rng, MIX[quarter]["app_version"])
        region = _pick(rng, MIX[quarter]["region"])
        stage = _pick(rng, STAGE_SHARE)
        planted = stage == TRUTH["stage"] and version == TRUTH["segment_value"] and quarter == "Q2"

        p_neg = _negative_probability(stage, region, planted)
        draw = rng.random()
        sentiment = "negative" if draw < p_neg else "neutral" if draw < p_neg + NEUTRAL else "positive"
        themes = {k: v for k, v in PHRASES[stage][sentiment].items() if k != PLANTED_THEME}
        if planted and sentiment == "negative" and rng.random() < PLANTED_THEME_SHARE:
            theme = PLANTED_THEME
        else:
            theme = list(themes)[int(rng.integers(len(themes)))]
        pool = PHRASES[stage][sentiment][theme]
        comment = _vary(rng, pool[int(rng.integers(len(pool)))], sentiment)

        rows.append(
            {
                "id": "",
                "date": day.isoformat(),
                "channel": _pick(rng, CHANNEL),
                "app_version": version,
                "region": region,
                "plan": _pick(rng, PLAN),
                "comment": comment,
                "rating": _rating(rng, sentiment) if rng.random() < RATING_PRESENT else None,
                "true_stage": stage,
                "true_sentiment": sentiment,
                "true_theme": theme,
            }
        )
    # Files from survey tools come in date order; ids follow that order. The sort is stable, so
    # rows of the same day keep their drawing order and the output stays deterministic.
    rows.sort(key=lambda r: r["date"])
    for i, row in enumerate(rows, start=1):
        row["id"] = f"PP-{i:05d}"
    return JOURNEY_MAP, rows


def truth() -> dict[str, Any]:
    """What a correct diagnosis must find."""
    return json.loads(json.dumps(TRUTH))


def write_csv(path: Path, n_rows: int = 5000, seed: int = 7) -> int:
    """Write the scenario rows as UTF-8 CSV, without the label columns (write_labels keeps those apart);
    returns the number of data rows written."""
    _, rows = generate(n_rows, seed)
    columns = CSV_COLUMNS
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row[k] is None else row[k] for k in columns})
    return len(rows)


def write_labels(path: Path, n_rows: int = 5000, seed: int = 7) -> int:
    """Write the generator's labels as JSON keyed by row id (``{"PP-00001": {"stage", "sentiment",
    "theme"}}``): the answer key an evaluator reads beside the CSV, never ingested with it."""
    _, rows = generate(n_rows, seed)
    labels = {
        r["id"]: {"stage": r["true_stage"], "sentiment": r["true_sentiment"], "theme": r["true_theme"]}
        for r in rows
    }
    path.write_text(json.dumps(labels, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return len(labels)


def write_all(folder: Path = HERE) -> None:
    """Write the CSV, the map and the truth file into ``folder``."""
    write_csv(folder / "planted_problem.csv")
    (folder / "planted_problem_map.json").write_text(
        json.dumps(JOURNEY_MAP, indent=2, ensure_ascii=False) + "\n"
    )
    (folder / "planted_problem_truth.json").write_text(
        json.dumps(truth(), indent=2, ensure_ascii=False) + "\n"
    )


if __name__ == "__main__":
    write_all()
