"""Benchmark: the embedded model (Qwen2.5-Coder-1.5B Q4_K_M in llama.cpp) on this machine.

1. Load time and prompt / generation speed for each thread count, measured in the same run: the
   loaded models take turns round by round (interleaved) so a neighbour's job slows both alike, and
   the best round counts. Each round's prompt starts with a fresh nonce so llama.cpp's prompt cache
   cannot skip the prompt.
2. Time to draft a journey outline (stages with steps: action, touchpoint, channel enum, emotion -2..2)
   in English and in Korean under a JSON schema, compact vs pretty-printed JSON, at several sizes, to
   find what fits the product's 90-second budget for a complete map.

Every measurement carries the 1-minute load average (`/proc/loadavg`): the machine is shared.

Run: .venv/bin/python -m evals.bench_embedded_llm [--rounds 4] [--threads 1,2] [--sizes 4x2,5x3,6x3]
     [--outline-threads N] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import secrets
import statistics
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.llm.embedded import EmbeddedModel, Message, auto_threads
from assistant.llm.model_setup import ensure_model
from assistant.settings import load_settings
from evals.bench_common import emit, machine

BUDGET_S = 90.0
SPEED_PROMPT = (
    "Customer feedback about a mobile loan app, one comment per line:\n"
    "- The identity check failed three times before it accepted my ID card.\n"
    "- I could not find where to upload my income statement.\n"
    "- Approval came in ten minutes, much faster than my bank.\n"
    "- The interest rate shown at the start was not the one I got.\n"
    "- Support chat answered quickly but could not fix the upload error.\n"
    "- Repayment reminders arrive at 2 a.m., which is annoying.\n"
    "Summarise the three biggest problems in one short sentence each."
)

Channel = Literal["web", "app", "phone", "branch", "email", "chat", "store", "social"]


def outline_model(stages: int, steps: int, text_chars: int) -> type[BaseModel]:
    """The outline schema at one size: bounds in the schema cap how many tokens the model can spend."""
    Text = Annotated[str, Field(min_length=2, max_length=text_chars)]

    class Step(BaseModel):
        model_config = ConfigDict(extra="forbid")
        action: Text
        touchpoint: Text
        channel: Channel
        emotion: Literal[-2, -1, 0, 1, 2]

    class Stage(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: Annotated[str, Field(min_length=2, max_length=30)]
        steps: Annotated[list[Step], Field(min_length=steps, max_length=steps)]

    class Outline(BaseModel):
        model_config = ConfigDict(extra="forbid")
        stages: Annotated[list[Stage], Field(min_length=stages, max_length=stages)]

    return Outline


BRIEFS = {
    "en": (
        "You draft customer journey maps. Answer with JSON only.",
        "Product: a mobile app for personal loans. Persona: a 28-year-old office worker borrowing for the "
        "first time. Draft the journey from hearing about the app to the first repayment: {stages} stages "
        "in time order, {steps} steps each. Each step: what the customer does (a few words), the "
        "touchpoint, the channel, and the emotion from -2 (very negative) to 2 (very positive).",
    ),
    "ko": (
        "당신은 고객 여정 지도를 작성합니다. JSON으로만 답하세요. 모든 텍스트는 한국어로 쓰세요.",
        "제품: 개인 대출 모바일 앱. 페르소나: 처음으로 대출을 받는 28세 직장인. 앱을 알게 되는 순간부터 첫 "
        "상환까지의 여정을 시간 순서대로 {stages}개 단계, 단계마다 {steps}개 행동으로 작성하세요. 각 행동: "
        "고객이 하는 일(짧게), 접점, 채널, 감정(-2 매우 부정 ~ 2 매우 긍정).",
    ),
}


def note(what: str, data: dict[str, Any]) -> None:
    """One line per measurement on stderr, so a long run shows where it is (stdout stays the result)."""
    shown = {k: v for k, v in data.items() if k != "text"}
    print(f"{what}: {json.dumps(shown, ensure_ascii=False)}", file=sys.stderr, flush=True)


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def speed_round(model: EmbeddedModel, max_tokens: int) -> dict[str, Any]:
    nonce = secrets.token_hex(4)  # a new first token: the prompt cache cannot reuse the last round
    messages: list[Message] = [
        {"role": "system", "content": f"Session {nonce}. You are a concise analyst."},
        {"role": "user", "content": SPEED_PROMPT},
    ]
    before = loadavg()
    c = model.chat(messages, max_tokens=max_tokens)
    return {
        "prompt_tokens": c.prompt_tokens,
        "completion_tokens": c.completion_tokens,
        "prompt_tps": round(c.prompt_tokens_per_s, 2),
        "gen_tps": round(c.tokens_per_s, 2),
        "seconds": round(c.seconds, 2),
        "loadavg": before,
    }


def measure_threads(
    path: Path, threads: list[int], rounds: int, max_tokens: int, loads_per_count: int = 2
) -> dict[str, Any]:
    loads: dict[int, list[dict[str, float]]] = {t: [] for t in threads}
    # Load times: each thread count loads `loads_per_count` times, alternating, then stays loaded for the speed rounds
    # (llama.cpp maps the file, so the weights' pages are shared between the two models).
    models: dict[int, EmbeddedModel] = {}
    for attempt in range(loads_per_count):
        for t in threads:
            m = EmbeddedModel(path, threads=t, context_tokens=2048)
            before = loadavg()
            m.load()
            loads[t].append({"seconds": round(m.load_seconds or 0, 2), "loadavg": before})
            note(f"load {t} thread(s)", loads[t][-1])
            if attempt == loads_per_count - 1:
                models[t] = m  # the last load stays for the speed rounds
            else:
                m.close()
    per_thread: dict[int, list[dict[str, Any]]] = {t: [] for t in threads}
    for r in range(rounds):
        order = threads if r % 2 == 0 else list(reversed(threads))
        for t in order:
            per_thread[t].append(speed_round(models[t], max_tokens))
            note(f"speed round {r + 1}, {t} thread(s)", per_thread[t][-1])
    for m in models.values():
        m.close()
    summary = {}
    for t in threads:
        rows = per_thread[t]
        summary[str(t)] = {
            "load_s_best": min(x["seconds"] for x in loads[t]),
            "loads": loads[t],
            "prompt_tps_best": max(x["prompt_tps"] for x in rows),
            "gen_tps_best": max(x["gen_tps"] for x in rows),
            "prompt_tps_median": statistics.median(x["prompt_tps"] for x in rows),
            "gen_tps_median": statistics.median(x["gen_tps"] for x in rows),
            "rounds": rows,
        }
    if len(threads) == 2:
        a, b = (str(t) for t in threads)
        summary["ratio"] = {
            "prompt_tps_best": round(summary[b]["prompt_tps_best"] / summary[a]["prompt_tps_best"], 2),
            "gen_tps_best": round(summary[b]["gen_tps_best"] / summary[a]["gen_tps_best"], 2),
            "of": f"{b} threads / {a} thread(s)",
        }
    return summary


def outline_run(
    model: EmbeddedModel, lang: str, stages: int, steps: int, text_chars: int, compact: bool
) -> dict[str, Any]:
    system, brief = BRIEFS[lang]
    Outline = outline_model(stages, steps, text_chars)
    messages: list[Message] = [
        {"role": "system", "content": system},
        {"role": "user", "content": brief.format(stages=stages, steps=steps)},
    ]
    max_tokens = 1200
    before = loadavg()
    c = model.chat(
        messages, json_schema=Outline.model_json_schema(), compact_json=compact, max_tokens=max_tokens
    )
    try:
        value = Outline.model_validate_json(c.text)
        valid, error = True, None
        names = [s.name for s in value.stages]  # type: ignore[attr-defined]
    except ValidationError as exc:
        valid, error, names = False, str(exc).splitlines()[0], []
    return {
        "lang": lang,
        "size": f"{stages}x{steps}",
        "text_chars": text_chars,
        "json": "compact" if compact else "pretty",
        "seconds": round(c.seconds, 1),
        "prompt_tokens": c.prompt_tokens,
        "completion_tokens": c.completion_tokens,
        "gen_tps": round(c.tokens_per_s, 2),
        "finish": c.finish_reason,
        "valid": valid,
        "error": error,
        "stage_names": names,
        "fits_budget": valid and c.seconds <= BUDGET_S,
        "loadavg": before,
        "text": c.text,
    }


def run(
    threads: list[int],
    rounds: int,
    loads_per_count: int,
    max_tokens: int,
    sizes: list[tuple[int, int]],
    outline_threads: int,
    text_chars: int,
    formats: list[bool],
) -> dict[str, Any]:
    settings = load_settings()
    path = ensure_model(settings)
    result: dict[str, Any] = {"machine": machine(), "model": path.name, "loadavg_start": loadavg()}
    if threads:
        result["threads"] = measure_threads(path, threads, rounds, max_tokens, loads_per_count)
    outlines = []
    if sizes:
        with EmbeddedModel(path, threads=outline_threads, context_tokens=4096) as model:
            model.load()
            for stages, steps in sizes:
                for lang in ("en", "ko"):
                    for compact in formats:
                        outlines.append(outline_run(model, lang, stages, steps, text_chars, compact))
                        note("outline", outlines[-1])
    result["outline_threads"] = outline_threads
    result["outlines"] = outlines
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["loadavg_end"] = loadavg()
    return result


def summary(result: dict[str, Any]) -> list[str]:
    lines = [f"model {result['model']}; load average at start {result['loadavg_start']}"]
    for t, s in result.get("threads", {}).items():
        if t == "ratio":
            lines.append(
                f"ratio {s['of']}: prompt {s['prompt_tps_best']}x, generation {s['gen_tps_best']}x (best rounds)"
            )
            continue
        avgs = [r["loadavg"] for r in s["rounds"]]
        lines.append(
            f"{t} thread(s): load {s['load_s_best']} s; prompt {s['prompt_tps_best']} tok/s best "
            f"({s['prompt_tps_median']} median); generation {s['gen_tps_best']} tok/s best "
            f"({s['gen_tps_median']} median); load average {min(avgs)}-{max(avgs)}"
        )
    for o in result["outlines"]:
        lines.append(
            f"outline {o['lang']} {o['size']} {o['json']}: {o['seconds']} s, {o['completion_tokens']} tokens "
            f"({o['gen_tps']} tok/s), {'valid' if o['valid'] else 'INVALID'} {o['finish']}, "
            f"load average {o['loadavg']}; stages: {' / '.join(o['stage_names'])}"
        )
    lines.append(f"peak RSS {result['peak_rss_mb']} MB; load average at end {result['loadavg_end']}")
    return lines


def _sizes(text: str) -> list[tuple[int, int]]:
    out = []
    for part in filter(None, text.split(",")):
        stages, steps = part.lower().split("x")
        out.append((int(stages), int(steps)))
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--threads", default="1,2", help="Thread counts to compare ('' to skip).")
    parser.add_argument("--rounds", type=int, default=4, help="Speed rounds per thread count.")
    parser.add_argument("--loads", type=int, default=2, help="Loads timed per thread count.")
    parser.add_argument("--max-tokens", type=int, default=64, help="Tokens generated per speed round.")
    parser.add_argument("--sizes", default="4x2,5x3,6x3", help="Outline sizes STAGESxSTEPS ('' to skip).")
    parser.add_argument("--outline-threads", type=int, default=None, help="Default: JOURNEY_LLM_THREADS.")
    parser.add_argument("--text-chars", type=int, default=40, help="Max characters per outline text.")
    parser.add_argument("--formats", default="compact,pretty", help="compact, pretty or both.")
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    args = parser.parse_args(argv)
    threads = [int(t) for t in args.threads.split(",") if t]
    outline_threads = args.outline_threads or load_settings().journey_llm_threads or auto_threads()
    formats = [f == "compact" for f in args.formats.split(",") if f]
    result = run(
        threads,
        args.rounds,
        args.loads,
        args.max_tokens,
        _sizes(args.sizes),
        outline_threads,
        args.text_chars,
        formats,
    )
    emit(result, args.json, summary(result))
    return result


if __name__ == "__main__":
    main()
