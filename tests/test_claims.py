"""Claims checked by structure: each number an answer states is tied to the tool result it cites, by key,
sign and the rounding shown; quotes carry their row's id and are verbatim; numbers in customers' words
ground nothing. Pure checks first, then the same check through the assistant in each mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from checkout_result import DIAGNOSIS, FID
from typer.testing import CliRunner

from assistant.agent.scripted import ScriptedChatModel
from assistant.analysis.claims import DROPPED, Claim, check, strip, verify
from assistant.analysis.render import (
    MODEL_QUOTE_CHARS,
    QUOTE_CHARS,
    T,
    diagnosis_report,
    ideas_answer,
    shorten,
)
from assistant.contracts.requests import DiagnoseOptions, IdeasOptions, IngestRequest
from assistant.conversation import Assistant, TurnOptions
from assistant.domain import load_map
from assistant.pipeline.answer_text import compose_diagnosis
from assistant.turns.events import Event, Final
from assistant.turns.grounding import check_answer
from assistant.workspace import Workspace
from journey_tools.language import Language

ROOT = Path(__file__).resolve().parent.parent
SHOP_MAP = ROOT / "knowledge/maps/ecommerce-first-purchase-en.json"
SHOP_FEEDBACK = ROOT / "knowledge/feedback/shop-feedback-en.csv"
LOAN_MAP = ROOT / "knowledge/maps/loan-application-ko.json"
LOAN_FEEDBACK = ROOT / "knowledge/feedback/loan-app-feedback-ko.csv"

RESULTS: dict[str, Any] = {"diagnose_journey": DIAGNOSIS}


def failed(text: str) -> list[Claim]:
    return verify(text, RESULTS).failed


# --- the pure check ----------------------------------------------------------------------------------


def test_a_correct_answer_passes_with_a_source_for_every_claim() -> None:
    text = (
        "Checkout: 30 of 60 rows are negative (50%, 95% CI 38%–62%), 10.4 points above the rest (30%, "
        "p = 0.0012); NPS -18.2. Nine comments say “Payment failed 47 times” [abcdef1234567890abcd]."
    )
    report = verify(text, RESULTS)
    assert report.ok, report.problems()
    by_shown = {c.shown: c for c in report.claims if c.kind != "quote"}
    assert by_shown["50%"].source == "diagnose_journey.stages[0].negative_share"
    assert by_shown["-18.2"].source == "diagnose_journey.stages[0].nps.nps"
    assert by_shown["Nine"].source == "diagnose_journey.stages[0].themes[0].n"  # a number word is a claim too
    assert by_shown["10.4%"].kind == "comparison" and by_shown["10.4%"].direction == "higher"
    quote = next(c for c in report.claims if c.kind == "quote")
    assert quote.feedback_id == FID and quote.source and quote.checked
    assert all(c.checked and c.source for c in report.claims)


def test_a_number_moved_to_another_stage_fails() -> None:
    bad = failed("Checkout: 12 of 40 rows are negative (30%).")
    assert [c.shown for c in bad] == ["12", "40", "30%"]
    assert all("belongs to Delivery, not Checkout" in str(c.problem) for c in bad)


def test_a_flipped_sign_fails() -> None:
    for text in ("Checkout has an NPS of +18.2.", "Checkout has an NPS of 18.2.", "Checkout NPS 18.2"):
        (bad,) = failed(text)
        assert "sign flipped" in str(bad.problem), text
    assert not failed("Checkout has an NPS of minus 18.2.")  # the words say the sign
    (bad,) = failed("Checkout is 10.4 points below the rest.")  # a direction against the difference's sign
    assert bad.source and bad.source.endswith("comparison.difference")


def test_numbers_in_words_are_claims_and_fail_when_unsupported() -> None:
    (bad,) = failed("Checkout: eighteen complaints mention refunds.")
    assert bad.shown == "eighteen"
    (bad,) = failed("Checkout 단계에서 열여덟 건이 환불 문제입니다.")
    assert bad.shown == "열여덟"
    assert not failed("Delivery: twelve negative comments.")
    assert not failed("Delivery: 열두 건이 부정적입니다.")


def test_quotes_need_their_id_and_the_rows_words() -> None:
    (bad,) = failed("Checkout customers wrote “Payment failed 47 times and the card was declined”.")
    assert bad.kind == "quote" and bad.problem == "a quote without its feedback id"
    (bad,) = failed(f"Checkout customers wrote “Payment failed twice and the card was declined” [{FID}].")
    assert "does not say this verbatim" in str(bad.problem)
    (bad,) = failed("Checkout customers wrote “Payment failed 47 times” [0000000000000000ffff].")
    assert "does not exist" in str(bad.problem)
    # Whitespace is normalised; the customer's own number inside the quote is not a claim.
    assert not failed(f"Checkout customers wrote “Payment  failed 47\ntimes” [{FID}].")


def test_a_number_found_only_in_a_customers_text_grounds_nothing() -> None:
    (bad,) = failed("Checkout: 47 failed payments.")
    assert bad.shown == "47" and bad.source is None
    # The former check accepted it: every number inside any string of the results joined its pool.
    assert check_answer(
        "Checkout: 47 failed payments.", [RESULTS["diagnose_journey"]], {}
    ).unsupported_numbers


def test_a_claim_is_checked_by_key_as_well_as_value() -> None:
    at = "diagnose_journey.stages[0]"
    right = Claim(
        kind="metric", stage="Checkout", metric="negative_share", value=0.5, shown="50%", precision=0.01
    )
    cases = {
        "the right key": (right.model_copy(update={"source": f"{at}.negative_share"}), None),
        "another key with the same value": (right.model_copy(update={"source": f"{at}.ci_high"}), "is not"),
        "another stage": (
            right.model_copy(update={"source": "diagnose_journey.stages[1].negative_share"}),
            "belongs",
        ),
        "customer text": (
            right.model_copy(update={"source": f"{at}.themes[0].quotes[0].text", "metric": None}),
            "grounds no number",
        ),
        "no source": (right, "not found"),
    }
    report = check([c for c, _ in cases.values()], RESULTS)
    for (name, (_, problem)), claim in zip(cases.items(), report.claims, strict=True):
        assert claim.checked == (problem is None), name
        assert problem is None or problem in str(claim.problem), (name, claim.problem)
    # Rounding is stated: 47% is 0.465 to 0.475, and a share shown to three places may carry 0.0005 more.
    near = right.model_copy(update={"source": f"{at}.negative_share", "value": 0.49})
    assert not check([near], RESULTS).ok


def test_a_failed_claim_is_dropped_with_its_sentence_and_the_answer_says_so() -> None:
    text = "Checkout: 30 of 60 rows are negative. Delivery is better at 99%.\n- Refunds: eighteen comments."
    report = verify(text, RESULTS)
    out = strip(text, report, "en")
    assert "99%" not in out and "eighteen" not in out and "30 of 60" in out
    assert out.endswith(DROPPED["en"]) and out.count(DROPPED["en"]) == 1
    assert strip(text, report, "ko").endswith(DROPPED["ko"])
    assert strip("Checkout: 30 of 60.", verify("Checkout: 30 of 60.", RESULTS), "en") == "Checkout: 30 of 60."


# --- rendered answers: the text comes from the claims -------------------------------------------------


@pytest.mark.parametrize("metric", ["negative_share", "negative_count"])
def test_the_deterministic_answer_is_rendered_from_claims_that_pass(shop: Workspace, metric: str) -> None:
    d = shop.diagnose("shop", DiagnoseOptions(metric=metric))  # type: ignore[arg-type]
    ideas = shop.ideas("shop", IdeasOptions(stage=d.ranking[0]))
    text, claims = compose_diagnosis(d, "en", None, ideas)
    results = {
        "diagnose_journey": d.model_dump(mode="json"),
        "propose_improvements": ideas.model_dump(mode="json"),
    }
    assert claims and all(c.source for c in claims)
    assert check(claims, results).ok, check(claims, results).problems()
    report = verify(text, results, claims)
    assert report.ok, report.problems()
    # A renderer citing the wrong path is caught as well: the same claims moved to another stage's index.
    moved = [
        c.model_copy(update={"source": c.source.replace("stages[", "stages[9")}) for c in claims if c.source
    ]
    assert not check(moved, results).ok


def test_a_korean_deterministic_answer_passes(workspace: Workspace) -> None:
    workspace.ingest(IngestRequest(files=[LOAN_FEEDBACK], source="loan", rating_type="nps"))
    workspace.save_map("loan", load_map(LOAN_MAP))
    d = workspace.diagnose("loan", DiagnoseOptions(language="ko"))
    text, claims = compose_diagnosis(d, "ko")
    report = verify(text, {"diagnose_journey": d.model_dump(mode="json")}, claims)
    assert report.ok and report.claims, report.problems()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_full_report_and_the_ideas_answer_are_rendered_from_claims_that_pass(
    shop: Workspace, language: Language
) -> None:
    """`journey diagnose`, the demo, `journey ideas`, the embedded pipeline and the app write through the
    same renderer: every number they show is a claim that holds against the result it cites."""
    d = shop.diagnose("shop", DiagnoseOptions(language=language))
    ideas = shop.ideas("shop", IdeasOptions(stage=d.ranking[0], language=language))
    results = {
        "diagnose_journey": d.model_dump(mode="json"),
        "propose_improvements": ideas.model_dump(mode="json"),
    }
    for text, claims in (diagnosis_report(d, language), ideas_answer(ideas, language, surveys=True)):
        assert claims and check(claims, results).ok, check(claims, results).problems()
        report = verify(text, results, claims)
        assert report.ok, report.problems()
    text, _ = diagnosis_report(d, language)
    assert all(f"[{q.feedback_id}]" in text for s in d.stages for t in s.themes[:3] for q in t.quotes[:1])
    text, _ = ideas_answer(ideas, language)
    head = T[language]["ideas_head"].format(stage=ideas.stage, n=ideas.based_on_rows)
    assert text.split("\n")[0] == head
    assert text.split("\n")[1].startswith("- ") and "KPI" in text


def test_quotes_are_shortened_once_for_people_and_once_for_the_model() -> None:
    long = "word " * 100
    assert len(shorten(long)) == QUOTE_CHARS and shorten(long).endswith("…")
    assert len(shorten(long, MODEL_QUOTE_CHARS)) == MODEL_QUOTE_CHARS
    assert shorten("  two\n lines ") == "two lines"


# --- through the assistant --------------------------------------------------------------------------


def run(ws: Workspace, replies: list[Any], text: str) -> tuple[Final, ScriptedChatModel]:
    model = ScriptedChatModel.from_replies(replies)
    assistant = Assistant.start(ws, chat_model=model)
    events: list[Event] = list(assistant.send("t", text, TurnOptions(current_map="shop", all_feedback=True)))
    assistant.close()
    assert isinstance(events[-1], Final)
    return events[-1], model


def answer(summary: str, quote_ids: list[str] | None = None) -> dict[str, Any]:
    claims = [{"statement": "Main theme", "based_on_rows": 0, "quote_ids": quote_ids or []}]
    return {"tool_calls": [{"name": "DiagnosisAnswer", "args": {"summary": summary, "claims": claims}}]}


DIAGNOSE = {"tool_calls": [{"name": "diagnose_journey", "args": {}}]}


def test_a_correct_agent_answer_is_grounded_and_lists_its_claims(shop: Workspace) -> None:
    d = shop.diagnose("shop")
    s = d.stage(d.ranking[0])
    assert s is not None and s.themes and s.themes[0].quotes
    qid = s.themes[0].quotes[0].feedback_id
    summary = f"{s.stage}: {s.negative} of {s.n} rows are negative ({s.negative_share:.0%})."
    out, model = run(shop, [DIAGNOSE, answer(summary, [qid])], "Which stage underperforms?")
    assert model.remaining == 0 and out.grounded and not out.fallback and not out.dropped_claims
    numbers = [c for c in out.claims if c.kind != "quote"]
    assert {c.shown for c in numbers} >= {str(s.negative), str(s.n), f"{s.negative_share:.0%}"}
    assert all(c.checked and c.source and c.source.startswith("diagnose_journey") for c in out.claims)
    assert any(c.kind == "quote" and c.feedback_id == qid for c in out.claims)
    dumped = out.model_dump(mode="json")
    assert {"value", "source", "checked"} <= set(dumped["claims"][0]) and dumped["grounded"] is True


def test_a_moved_number_is_corrected_then_replaced_by_the_deterministic_answer(shop: Workspace) -> None:
    d = shop.diagnose("shop")
    worst, other = d.stage(d.ranking[0]), d.stage(d.ranking[-1])
    assert worst is not None and other is not None and (worst.negative, worst.n) != (other.negative, other.n)
    moved = answer(f"{worst.stage}: {other.negative} of {other.n} rows are negative.")
    out, model = run(shop, [DIAGNOSE, moved, moved], "Which stage underperforms?")
    assert model.remaining == 0
    assert "belongs to" in str(model.seen[-1][-1].content)  # the correction names the problem
    assert out.fallback and out.grounded and f"{worst.negative} of {worst.n}" in out.text
    assert out.claims and all(c.checked for c in out.claims)


def test_a_number_only_in_feedback_text_is_dropped_and_the_answer_is_not_grounded(shop: Workspace) -> None:
    search = {"tool_calls": [{"name": "search_feedback", "args": {"query": "delivery window"}}]}
    said = {
        "tool_calls": [{"name": "ChatAnswer", "args": {"message": "Customers asked for 73 delivery slots."}}]
    }
    out, model = run(shop, [search, said, said], "What do customers say about delivery?")
    assert model.remaining == 0 and out.fallback
    assert not out.grounded and "73" not in out.text and out.text.endswith(DROPPED["en"])
    assert [c.shown for c in out.dropped_claims] == ["73"] and not out.dropped_claims[0].checked


def test_the_embedded_pipeline_goes_through_the_same_check(shop: Workspace) -> None:
    assistant = Assistant.start(shop)
    assert assistant.mode.mode == "embedded"
    events = list(
        assistant.send(
            "e", "Which stage underperforms, and why?", TurnOptions(current_map="shop", all_feedback=True)
        )
    )
    assistant.close()
    out = events[-1]
    assert isinstance(out, Final) and out.mode == "embedded"
    assert out.grounded and out.claims and not out.dropped_claims
    assert all(c.checked and c.source for c in out.claims)


def test_journey_ask_json_returns_the_claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import app

    env = {"JOURNEY_HOME": str(tmp_path / "home"), "JOURNEY_EMBEDDING": "hashing"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SHOP_FEEDBACK), "--source", "shop"]).exit_code == 0
    result = runner.invoke(app, ["ask", "Which stage underperforms?", "--map", str(SHOP_MAP), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    claims = data["answer"]["claims"]
    assert data["answer"]["grounded"] is True and claims
    assert all({"value", "source", "checked"} <= set(c) and c["checked"] for c in claims)
