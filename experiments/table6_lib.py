"""Table 6 (Sec. 5.7) from a human study's database, with the paper's numbers beside ours
(what `python -m experiments.table6` runs).

Reads `<study_dir>/study.sqlite` and its manifest (cinegen_tf/study) and writes
`experiments/results/table6_<study name>.md` and `.json`, in the paper's layout: one row
per method, "preferred" (how often its cinemagraph was picked as the best of those shown
from the same still) and "taken for real" (how often it was judged real when shown
alone), per category. Each of our cells gives the percentage, the counts and a 95%
Wilson interval; the paper's percentage stands beside it. Only participants who finished
both experiments and passed the attention checks count; the others are listed. The
votes themselves: `python -m cinegen_tf.study export --study_dir=...` (CSV).
"""
import json
import os
import time

from cinegen_tf.study import db
from cinegen_tf.study import results
from cinegen_tf.study import stimuli
from cinegen_tf.study import trials
from experiments import paper_numbers

FORMAT = 1
CATEGORY_LABELS = {"water_flowing": "Water flowing", "fire": "Fire"}
EXPERIMENT_LABELS = {"preference": "Preferred", "realism": "Taken for real"}
_COUNT_KEYS = {"preference": ("picked", "shown"), "realism": ("judged_real", "shown")}


def cell(counts, experiment):
    """{"k", "n", "percent", "wilson95": [low %, high %]} of one tally cell (percent None
    when n is 0)."""
    k, n = (counts[key] for key in _COUNT_KEYS[experiment])
    low, high = results.wilson(k, n)
    return {"k": k, "n": n, "percent": None if n == 0 else 100.0 * k / n,
            "wilson95": None if n == 0 else [100.0 * low, 100.0 * high]}


def record(study_dir):
    """Everything Table 6 shows, as a JSON-ready dict, read from the study's database."""
    manifest = stimuli.load_manifest(study_dir)
    conn = db.connect(os.path.join(study_dir, db.FILE_NAME))
    try:
        tally = results.tally(conn, manifest)
    finally:
        conn.close()
    categories = list(tally["preference"])
    rows = []
    for method in manifest["methods"]:
        key = method["key"]
        rows.append({"key": key, "label": method["label"], "cells": {
            experiment: {c: {"ours": cell(tally[experiment][c][key], experiment),
                             "paper": paper_numbers.TABLE6[experiment].get(key, {}).get(c)}
                         for c in categories}
            for experiment in trials.EXPERIMENTS}})
    control = {c: cell(tally["realism"][c][stimuli.REAL], "realism") for c in categories}
    clips = {c: sum(clip["category"] == c for clip in manifest["clips"]) for c in categories}
    from experiments import records as provenance  # imports TensorFlow: only when writing
    return {
        "table": 6, "format": FORMAT, "study": manifest["name"],
        "study_dir": os.path.abspath(study_dir),
        "written_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "code": provenance.code_version(),
        "design": trials.design_of(manifest), "encoding": manifest["encoding"],
        "methods": manifest["methods"], "data": manifest.get("data"), "clips": clips,
        "categories": categories, "rows": rows, "real_clips": control,
        "num_participants": tally["num_participants"], "num_votes": tally["num_votes"],
        "attention_checks": tally["attention_checks"],
        "participants": tally["participants"],
    }


def _ours(c):
    if c["n"] == 0:
        return "— (0 votes)"
    low, high = c["wilson95"]
    return f"**{c['percent']:.1f}%** ({c['k']}/{c['n']}; {low:.1f}–{high:.1f})"


def _paper(value):
    return "—" if value is None else f"{value:.2f}%"


def markdown(data):
    """The .md of a `record`."""
    categories = data["categories"]
    n = data["num_participants"]
    heads = [f"{EXPERIMENT_LABELS[e]}: {CATEGORY_LABELS[c]}" for e in trials.EXPERIMENTS
             for c in categories]
    lines = [
        f"# Table 6: human evaluation (study `{data['study']}`)", "",
        "Sec. 5.7. Columns 2-3: how often people picked a method's cinemagraph as the best of "
        "those made from the same still; columns 4-5: how often a method's cinemagraph, shown "
        "alone, was taken for a real one. Each cell: **ours** (votes for / votes; 95% Wilson "
        "interval, %) and the paper's percentage (Amazon Mechanical Turk; the paper gives no "
        "counts).", "",
        "| Method | " + " | ".join(f"{h} (ours) | {h} (paper)" for h in heads) + " |",
        "|---|" + "---|---|" * len(heads),
    ]
    for row in data["rows"]:
        cells = [row["cells"][e][c] for e in trials.EXPERIMENTS for c in categories]
        lines.append(f"| {row['label']} | " + " | ".join(
            f"{_ours(x['ours'])} | {_paper(x['paper'])}" for x in cells) + " |")
    lines.append("| Real clips (control) | " + " | ".join(
        ["— | —"] * len(categories)) + " | " + " | ".join(
        f"{_ours(data['real_clips'][c])} | —" for c in categories) + " |")
    design = data["design"]
    num_methods = len(data["rows"])
    shown, chance = (("all methods at once", f"{100 / num_methods:.1f}%")
                     if design["preference"] == "all" else ("two methods at a time", "50%"))
    excluded = sorted((pid, s["failed_checks"]) for pid, s in data["participants"].items()
                      if s["status"] == "excluded")
    incomplete = sorted(pid for pid, s in data["participants"].items()
                        if s["status"] == "incomplete")
    enc = data["encoding"]
    lines += [
        "",
        f"- Participants: **{n['included']} counted** of {n['total']} who consented; "
        f"{n['excluded']} excluded for failed attention checks"
        + (f" ({', '.join(f'{p}: {k} failed' for p, k in excluded)})" if excluded else "")
        + f"; {n['incomplete']} did not finish"
        + (f" ({', '.join(incomplete)})" if incomplete else "") + ". "
        f"{data['num_votes']} votes counted; attention checks passed "
        f"{data['attention_checks']['passed']}/{data['attention_checks']['answered']} "
        f"(all participants).",
        f"- Design: preference trials show {shown} (chance {chance}); real-or-generated "
        f"trials show each method's cinemagraph and the real clip of every still once; "
        f"{design['attention_checks']} attention checks per experiment (the real clip "
        f"against an obviously broken one); a participant failing more than "
        f"{design['max_attention_failures']} is excluded. Order and positions are shuffled "
        f"per participant (seeded, stored).",
        "- Stimuli: " + ", ".join(f"{CATEGORY_LABELS[c]} {k} clips" for c, k in
                                  data["clips"].items())
        + f" of real_cinemagraphs' {(data.get('data') or {}).get('split', 'test')} split; "
        f"{enc['num_frames']} frames at {enc['size'][0]}x{enc['size'][1]}, {enc['fps']:g} fps, "
        f"{enc['format'].upper()} looping, shown at {enc['display_size']} px.",
        "- Methods (workdir, checkpoint step): " + "; ".join(
            f"{m['label']}: " + (f"{m['workdir']}, step {m.get('step')}" if m.get("workdir")
                                 else "no weights")
            for m in data["methods"]) + ".",
        f"- Written {data['written_utc']} from code {data['code']}; every vote: "
        f"`python -m cinegen_tf.study export --study_dir={data['study_dir']}`.",
    ]
    return "\n".join(lines) + "\n"


def write(study_dir, results_dir="experiments/results"):
    """Writes table6_<study name>.md and .json into `results_dir`; returns both paths."""
    data = record(study_dir)
    os.makedirs(results_dir, exist_ok=True)
    stem = os.path.join(results_dir, f"table6_{data['study']}")
    for path, text in ((stem + ".json", json.dumps(data, indent=1) + "\n"),
                       (stem + ".md", markdown(data))):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return [stem + ".md", stem + ".json"]
