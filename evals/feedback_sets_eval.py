"""Stage, abstention, theme and idea quality on the feedback sets, through the product's own path.

Called by `evals.analysis_eval` for every set of `evals/datasets/sets.py` (the real complaint
narratives apart from the generated sets). Per set and map:

- stage macro-F1 over the rows with a gold stage (`named_f1`, the measure of the outside checks:
  complaints with a known reason) and over all rows (`all_f1`, a gold-null row predicted as a stage
  counts against that stage), against the zero-shot baseline: the same stored vectors compared with
  one "name: description" embedding per stage, no lexical evidence, no abstention;
- abstention: share of gold-null negative rows left unassigned (`abstained_no_stage`) and of rows
  with a gold stage left unassigned (`unassigned_named`);
- per brand (social), whether the stage with the most negative rows is predicted right;
- themes: the top three themes of every stage of the product's diagnosis: share whose label is a
  handle, a brand or company name, or a generic term (in 20 % or more of the map's rows, or among the
  top three of half the stages or more); and their distinctiveness: for each label, how much more
  likely a row containing its words is to be of that stage (by the gold labels) than any row,
  (P(stage | words) - P(stage)) / (1 - P(stage)), averaged;
- ideas: share of ideas that mention something absent from the map's domain (`FOREIGN` below: a cart
  for a loan, a delivery window for an airline).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.analysis.service import assignment_rows
from assistant.contracts.requests import DiagnoseOptions, IdeasOptions, IngestRequest
from assistant.domain import load_map
from assistant.domain.map_model import JourneyMap
from assistant.embedding import FEEDBACK_KIND
from assistant.errors import JourneyError
from assistant.workspace import Workspace
from assistant.workspace.labelling import Labeller
from evals.datasets import sets
from journey_tools.language import language_of
from journey_tools.text import handles, name_terms, tokens

DOMAINS: dict[str, str] = {
    "airline": "airline",
    "telecom": "telecom",
    "delivery": "delivery",
    "food_delivery": "delivery",
    "mortgage": "finance",
    "credit_card": "finance",
    "credit_report": "finance",
    "debt_collection": "finance",
    "bank_account": "finance",
    "loan": "finance",
    "shop": "retail",
    "saas": "software",
    "b2b_renewal": "software",
    "hotel": "hospitality",
    "clinic": "health",
    "gov_permit": "public",
    "insurance": "finance",
}
"""Map id prefix -> the domain the eval checks ideas against (the product infers its own)."""

FOREIGN: dict[str, set[str]] = {
    "cart": {"retail"},
    "checkout": {"retail"},
    "basket": {"retail"},
    "장바구니": {"retail"},
    "delivery window": {"retail", "delivery"},
    "courier": {"retail", "delivery"},
    "parcel": {"retail", "delivery"},
    "택배": {"retail", "delivery"},
    "boarding": {"airline"},
    "baggage": {"airline"},
    "luggage": {"airline"},
    "수하물": {"airline"},
    "escrow": {"finance"},
    "room": {"hospitality"},
    "prescription": {"health"},
}
"""Things an idea may only mention in some domains (the checker's list, not the product's)."""

COMPANIES = frozenset(
    [
        "equifax",
        "experian",
        "transunion",
        "wells",
        "fargo",
        "chase",
        "citi",
        "citibank",
        "capital",
        "navient",
        "ocwen",
        "synchrony",
        "discover",
        "amex",
        "paypal",
        "coinbase",
        "nationstar",
        "carrington",
        "freedom",
        "quicken",
        "suntrust",
        "truist",
        "pnc",
        "usaa",
        "barclays",
        "comenity",
        "midland",
        "portfolio",
        "convergent",
    ]
)
"""Company names of the narratives that may not be theme labels (beside handles and capitalised names)."""


def _domain(map_id: str) -> str:
    for prefix, domain in DOMAINS.items():
        if map_id.startswith(prefix):
            return domain
    return "other"


def _f1(gold: Sequence[str | None], pred: Sequence[str | None], classes: Sequence[str]) -> float:
    scores = []
    for c in classes:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        if tp + fp + fn:
            scores.append(2 * tp / (2 * tp + fp + fn))
    return sum(scores) / len(scores) if scores else 0.0


def stage_scores(rows: Sequence[dict[str, Any]], preds: Sequence[str | None]) -> dict[str, float]:
    """Macro-F1 over (map, stage) classes: on rows with a gold stage, and on all rows."""

    def key(r: dict[str, Any], s: str | None) -> str | None:
        return f"{r['map']}:{s}" if s else None

    def gold_of(r: dict[str, Any], p: str | None) -> str | None:
        return p if r.get("alt_stage") and p == r["alt_stage"] else r["stage"]

    named = [i for i, r in enumerate(rows) if r["stage"]]
    classes = sorted({key(r, r["stage"]) for r in rows if r["stage"]} - {None})  # type: ignore[type-var]
    g_all = [key(r, gold_of(r, p)) for r, p in zip(rows, preds, strict=True)]
    p_all = [key(r, p) for r, p in zip(rows, preds, strict=True)]
    return {
        "named_f1": round(_f1([g_all[i] for i in named], [p_all[i] for i in named], classes), 3),
        "all_f1": round(_f1(g_all, p_all, classes), 3),
    }


def _ingest(ws: Workspace, rows: Sequence[dict[str, Any]], folder: Path, source: str) -> None:
    path = folder / f"{source.replace('/', '_')}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text"])
        writer.writerows([r["id"], r["text"]] for r in rows)
    ws.ingest(IngestRequest(files=[path], source=source, id_column="id", text_column="text", index=False))


def _zero_shot(ws: Workspace, journey: JourneyMap, fids: Sequence[str]) -> list[str]:
    vectors = ws.db.vectors(ws.embedder.name, list(fids))
    heads = ws.embedder.embed([f"{s.name}: {s.description}" for s in journey.stages], FEEDBACK_KIND)
    names = journey.stage_names
    return [names[int(np.argmax(heads @ vectors[f].astype(np.float32)))] for f in fids]


def _theme_quality(
    ws: Workspace, journey: JourneyMap, source: str, rows: Sequence[dict[str, Any]], ids: dict[str, str]
) -> dict[str, Any]:
    diagnosis = ws.diagnose(journey, DiagnoseOptions(source=source))
    texts = [r["text"] for r in rows]
    brands = {h for t in texts for h in handles(t)} | name_terms(texts) | COMPANIES
    brands |= {w for b in {r.get("brand") or "" for r in rows} for w in b.casefold().split()}
    by_fid = {fid: r for ext, fid in ids.items() for r in rows if r["id"] == ext}
    word_sets = {fid: set(tokens(r["text"])) for fid, r in by_fid.items()}
    share = Counter(w for ws_ in word_sets.values() for w in ws_)
    tops = {s.stage: [t.label for t in s.themes[:3]] for s in diagnosis.stages}
    in_tops = Counter(w for labels in tops.values() for label in labels for w in set(tokens(label)))
    n_stages = max(len(tops), 1)
    bad = total = 0
    distinct: list[float] = []
    examples: list[str] = []
    for stage, labels in tops.items():
        base = sum(1 for r in rows if r["stage"] == stage) / max(len(rows), 1)
        for label in labels:
            total += 1
            words = set(tokens(label))
            generic = any(share[w] >= 0.2 * len(rows) or in_tops[w] >= max(2, n_stages / 2) for w in words)
            if words & brands or generic or not words:
                bad += 1
                examples.append(f"{stage}: {label}")
            having = [f for f, ws_ in word_sets.items() if words and words <= ws_]
            if having and base < 1:
                p = sum(1 for f in having if by_fid[f]["stage"] == stage) / len(having)
                distinct.append((p - base) / (1 - base))
    return {
        "labels": total,
        "bad_labels": bad,
        "bad_share": round(bad / total, 3) if total else None,
        "distinctiveness": round(float(np.mean(distinct)), 3) if distinct else None,
        "bad_examples": examples[:6],
    }


def _idea_fit(ws: Workspace, journey: JourneyMap, source: str, map_id: str) -> dict[str, Any]:
    domain = _domain(map_id)
    language = language_of(journey.language)
    ideas = []
    for stage in journey.stage_names:
        try:
            result = ws.ideas(journey, IdeasOptions(stage=stage, language=language, source=source))
        except JourneyError:
            continue
        ideas.extend(result.ideas)
    misfits = [
        i.idea
        for i in ideas
        if any(
            domain not in allowed and re.search(rf"(?<!\w){re.escape(term)}", i.idea.casefold())
            for term, allowed in FOREIGN.items()
        )
    ]
    return {"ideas": len(ideas), "misfit": len(misfits), "misfit_examples": misfits[:3]}


def evaluate_set(
    ws: Workspace, name: str, split: sets.Split, folder: Path, details: bool = False
) -> dict[str, Any]:
    """One set's report (aggregates only; `details` adds per-row errors, dev only)."""
    rows = sets.load_rows(name, split)
    maps = sorted({r["map"] for r in rows})
    out: dict[str, Any] = {"text": sets.SETS[name], "rows": len(rows), "per_map": {}}
    all_rows: list[dict[str, Any]] = []
    preds: list[str | None] = []
    zero: list[str | None] = []
    methods: list[str] = []
    themes: list[dict[str, Any]] = []
    fits: list[dict[str, Any]] = []
    brands: dict[str, Any] = {}
    errors = []
    for map_id in maps:
        journey = load_map(sets.map_path(name, map_id, split))
        subset = [r for r in rows if r["map"] == map_id]
        source = f"{name}/{map_id}"
        _ingest(ws, subset, folder, source)
        labeller = Labeller(ws.db, ws.embedder)
        report = labeller.label(journey, source, map_id=ws.map_id(journey))
        got = {
            a.external_id: a
            for a in assignment_rows(ws.db, journey, report.map_key, report.labeller, [source])
        }
        ids = {r["id"]: got[r["id"]].feedback_id for r in subset}
        p = [got[r["id"]].stage for r in subset]
        z = _zero_shot(ws, journey, [ids[r["id"]] for r in subset])
        entry: dict[str, Any] = {**stage_scores(subset, p), "zero_shot": stage_scores(subset, z)}
        entry["unassigned"] = dict(
            Counter(m.split(":", 1)[1] for m in (got[r["id"]].stage_method for r in subset) if ":" in m)
        )
        tq = _theme_quality(ws, journey, source, subset, ids)
        fit = _idea_fit(ws, journey, source, map_id)
        entry["themes"] = tq
        entry["ideas"] = fit
        out["per_map"][map_id] = entry
        all_rows += subset
        preds += p
        zero += z
        methods += [got[r["id"]].stage_method for r in subset]
        themes.append(tq)
        fits.append(fit)
        if any("brand" in r for r in subset):
            for brand in sorted({r["brand"] for r in subset}):
                idx = [
                    i for i, r in enumerate(subset) if r["brand"] == brand and r["sentiment"] == "negative"
                ]
                gold = Counter(subset[i]["stage"] for i in idx if subset[i]["stage"])
                got_top = Counter(p[i] for i in idx if p[i])
                top = got_top.most_common(2)
                predicted = None if len(top) > 1 and top[0][1] == top[1][1] else (top[0][0] if top else None)
                brands[f"{map_id}/{brand}"] = {"gold": gold.most_common(1)[0][0], "predicted": predicted}
        if details and split == "dev":
            errors += [
                {"id": r["id"], "map": map_id, "gold": r["stage"], "pred": q, "text": r["text"][:300]}
                for r, q in zip(subset, p, strict=True)
                if q != r["stage"]
            ]
    nulls = [i for i, r in enumerate(all_rows) if r["stage"] is None and r["sentiment"] == "negative"]
    named = [i for i, r in enumerate(all_rows) if r["stage"]]
    out.update(stage_scores(all_rows, preds))
    out["zero_shot"] = stage_scores(all_rows, zero)
    out["abstained_no_stage"] = round(sum(preds[i] is None for i in nulls) / len(nulls), 3) if nulls else None
    out["no_stage_rows"] = len(nulls)
    out["unassigned_named"] = round(sum(preds[i] is None for i in named) / max(len(named), 1), 3)
    out["unassigned_by_reason"] = dict(Counter(m.split(":", 1)[1] for m in methods if ":" in m))
    labels = sum(t["labels"] for t in themes)
    out["themes"] = {
        "labels": labels,
        "bad_share": round(sum(t["bad_labels"] for t in themes) / labels, 3) if labels else None,
        "distinctiveness": round(
            float(np.mean([t["distinctiveness"] for t in themes if t["distinctiveness"] is not None])), 3
        )
        if any(t["distinctiveness"] is not None for t in themes)
        else None,
    }
    n_ideas = sum(f["ideas"] for f in fits)
    out["ideas"] = {
        "ideas": n_ideas,
        "misfit_share": round(sum(f["misfit"] for f in fits) / n_ideas, 3) if n_ideas else None,
    }
    if brands:
        out["brands"] = brands
        out["brand_top_right"] = sum(b["gold"] == b["predicted"] for b in brands.values())
    if errors:
        out["errors"] = errors
    return out


def print_set(name: str, e: dict[str, Any]) -> None:
    z = e["zero_shot"]
    print(
        f"  [{e['text']}] {name:<16} n={e['rows']:>4}  stage F1 (rows with a stage) {e['named_f1']:.3f}"
        f" (zero-shot {z['named_f1']:.3f}); all rows {e['all_f1']:.3f} (zero-shot {z['all_f1']:.3f})"
    )
    abst = "n/a" if e["abstained_no_stage"] is None else f"{e['abstained_no_stage']:.0%}"
    print(
        f"      no-stage rows left unassigned {abst} of {e['no_stage_rows']}; rows with a stage unassigned "
        f"{e['unassigned_named']:.1%}; unassigned by reason {e['unassigned_by_reason']}"
    )
    t, i = e["themes"], e["ideas"]
    bad = "n/a" if t["bad_share"] is None else f"{t['bad_share']:.0%}"
    off = "n/a" if i["misfit_share"] is None else f"{i['misfit_share']:.0%}"
    print(
        f"      themes: {bad} of top-3 labels are handles/brands/generic, distinctiveness "
        f"{t['distinctiveness']}; ideas off-domain {off} of {i['ideas']}"
    )
    for m, entry in e["per_map"].items():
        print(
            f"      {m:<24} F1 {entry['named_f1']:.3f} (zero-shot {entry['zero_shot']['named_f1']:.3f})"
            f"  bad theme labels {entry['themes']['bad_labels']}/{entry['themes']['labels']} {entry['themes']['bad_examples'][:3]}"
            f"  off-domain ideas {entry['ideas']['misfit']}/{entry['ideas']['ideas']}"
        )
    if "brands" in e:
        print(f"      most-complained stage right for {e['brand_top_right']} of {len(e['brands'])} brands")
