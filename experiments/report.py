"""A paper table rendered from run records and nothing else, ours beside the paper's numbers.

    python -m experiments.report [--results_dir=experiments/results]

re-renders every table<N>_<scale>[_<tag>].md/.json in results_dir from the records in
results_dir/runs (experiments/records.py), as the runner (experiments/reproduce.py) does for
its table; tests/report_test.py fails while a committed table differs from its rendering.
"""
import collections
import dataclasses
import json
import os
import re
import sys

import numpy as np

from cinegen_tf.training import checkpoints
from experiments import motion_row, paper_numbers, records, tables

UNTAGGED = "real_clips"
_FILE = re.compile(r"table([1-5])_(paper|cpu|smoke)(?:_(.+))?\.json")
# key: paper_numbers' (a pattern/category, "<data>_average" or "<data>"); subsets: averaged
Column = collections.namedtuple("Column", "key label data subsets")


def stem(table_number, scale_name, data_tag=UNTAGGED):
    """table<N>_<scale>[_<tag>]: a table's file name without .md/.json."""
    return f"table{table_number}_{scale_name}" + ("" if data_tag == UNTAGGED else f"_{data_tag}")


def columns(table, patterns, categories):
    """The table's Columns for the chosen patterns/categories, in the paper's order."""
    out = []
    for data in table.data:
        subsets = table.subsets(data, patterns, categories)
        if subsets and table.per_subset:
            out += [Column(s, tables.PATTERN_LABELS[s], data, (s,)) for s in subsets]
        if subsets and table.averages:  # Table 3: "<Data> average" columns; Table 5: only them
            key, label = ("_average", " average") if table.per_subset else ("", "")
            out.append(Column(data + key, data.capitalize() + label, data, subsets))
    return out


def choose(table, found, data_tag=UNTAGGED):
    """({Run: (path, record)} in table order, precision): the record of each run of `table`
    (ours too) among `found` ({path: record}) with the table's metrics, on the newest data
    version it has; where a run has one in each precision there, the table's: the one most
    of its trained runs have (float32 on a tie)."""
    tags = {"synthetic": "synthetic" if data_tag == UNTAGGED else None, "real": data_tag}
    candidates = collections.defaultdict(lambda: collections.defaultdict(dict))
    for path, r in found.items():
        if set(table.metrics) <= set(r["metrics"]):
            key, version = (r["run"], r["data"]["tag"]), r["data"]["version"] or ""
            candidates[key][tuple(map(int, re.findall(r"\d+", version)))][r["precision"]] = (
                path, r)
    runs = {run: max(candidates[run.name, tags[run.data]].items())[1] for run in table.runs(
        tables.PATTERNS, tables.CATEGORIES, [row.key for row in table.rows + table.ours])
        if (run.name, tags[run.data]) in candidates}
    trained = collections.Counter(p for run, c in runs.items()
                                  if run.method not in tables.UNTRAINED for p in c)
    chosen = max(("float32", "bfloat16"), key=lambda p: trained[p])
    return {run: c.get(chosen) or next(iter(c.values())) for run, c in runs.items()}, chosen


def _attributes(r):
    trained = r["method"] not in tables.UNTRAINED
    return {"data": f"data {r['data']['version']}", "precision": trained and r["precision"],
            "budget": trained and f"{r['steps']} x {r['batch_size']}"}


def render(table, scale, records_root, data_tag=UNTAGGED):
    """(markdown, json dict) of `table` at `scale` from the records under `records_root` of
    the synthetic data and real data `data_tag` (another tag than UNTAGGED: real columns
    only). A column or our row is shown once one of its runs has a record; what the cells of
    one kind of data do not all share (data version, precision, steps x batch) each names."""
    chosen, precision = choose(table, records.read_all(records_root, scale.name), data_tag)
    table = dataclasses.replace(table, rows=table.rows + tuple(
        row for row in table.ours if row.method in {run.method for run in chosen}))
    have = {run.subset for run in chosen}
    cols = columns(table, *[[s for s in group if s in have]
                            for group in (tables.PATTERNS, tables.CATEGORIES)])
    varying = {kind: sorted(a for a in ("data", "precision", "budget") if len(
        {_attributes(r)[a] for run, (_, r) in chosen.items() if run.data == kind} - {False}) > 1)
        for kind in table.data}
    cells, md_rows, empty = [], [], []
    for row in table.rows:
        shown = []
        for c in cols:
            got = [chosen.get(row.run(c.data, s), (None, None))[1] for s in c.subsets]
            done = None not in got
            empty += [] if done else [f"{row.label} on {c.label}"]
            marks = [" + ".join(sorted({_attributes(r)[a] for r in got}))
                     for a in varying[c.data] if done and _attributes(got[0])[a]]
            if done and "centre_distance" in table.metrics:
                rate = np.mean([r["metrics"]["no_match_rate"] for r in got])
                marks.append(f"no match in {100 * rate:.0f}% of frames")
            paper = paper_numbers.TABLES[table.number].get(row.key, {}).get(c.key)
            for i, m in enumerate(table.metrics):
                ours = [r["metrics"][m] for r in got] if done else [None]
                ours = None if None in ours else float(np.mean(ours))
                value = paper[i] if isinstance(paper, tuple) else paper
                cells.append({"row": row.key, "column": c.key, "metric": m, "ours": ours,
                              "paper": value, "marks": marks})
                shown.append((f"**{_fmt(m, ours)}**" if done else "not run")
                             + f" ({_fmt(m, value, paper=True)})" + "".join(
                                 f", {mark}" for mark in marks))
        md_rows.append(f"| {row.label} | " + " | ".join(shown) + " |")
    not_run = [tables.PATTERN_LABELS[s] for d in table.data for s in table.subsets(d)
               if s not in have]
    notes = [f"{what}: {', '.join(names)}." for what, names in (
        ("Cells not run yet at this scale (paper numbers only)", empty),
        ("Columns not run here (paper numbers in experiments/paper_numbers.py)", not_run)) if names]
    notes += [f"Our {c.label} averages {', '.join(c.subsets)} only; the paper's averages all "
              f"of {', '.join(table.subsets(c.data))}." for c in cols
              if c.key not in c.subsets and len(c.subsets) < len(table.subsets(c.data))]
    notes += [f"The {kind} cells do not all share one {' / '.join(a)}: each cell names its own."
              for kind, a in varying.items() if a]
    notes += motion_row.weights_notes({run: r for run, (_, r) in chosen.items()})
    md = _markdown(table, scale, cols, md_rows, notes, [r for _, r in chosen.values()],
                   precision, os.path.basename(os.path.normpath(records_root)), data_tag)
    return md, {"format": 3, "table": table.number, "scale": scale.name, "data_tag": data_tag,
                "title": table.title, "precision": precision, "metrics": list(table.metrics),
                "columns": [c._asdict() for c in cols], "cells": cells, "not_run": not_run,
                "records": [path for path, _ in chosen.values()]}


def _fmt(metric, value, paper=False):
    if value is None or not np.isfinite(value):
        return "n/a"
    return f"{value:.{4 if paper or 'ssim' in metric else 2 if 'psnr' in metric else 3}f}"


def _markdown(table, scale, cols, md_rows, notes, found, precision, records_dir, data_tag):
    """The .md: the table's `md_rows`, notes, the data, budget and hardware of `found`."""
    header = ["Method"] + [c.label + (f" {tables.METRIC_LABELS[m]}" if len(table.metrics) > 1
                                      else "") for c in cols for m in table.metrics]
    lines = [f"# Table {table.number} at the `{scale.name}` scale"
             + ("" if data_tag == UNTAGGED else f" on `{data_tag}`"), "",
             f"{table.title}. Each cell: **ours** (paper). Rendered from the run records in "
             f"`{records_dir}/{scale.name}/` beside this file (made by `python -m "
             f"experiments.reproduce --table={table.number} --scale={scale.name}`) by "
             f"`python -m experiments.report`; never edited by hand.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + md_rows
    lines += ["", "## Notes", ""] + [f"- {n}" for n in notes] if notes else []
    lines += ["", "## Data, budget and hardware", ""]
    by_data = collections.defaultdict(list)  # a data set's line: its subsets (clips, sources)
    for d in (r["data"] for r in found):
        where = (f"TFDS real_cinemagraphs in {d.get('data_dir') or 'the default data_dir'}"
                 + (f", built from {d['manual_dir']}" if d.get("manual_dir") else "")
                 if d["kind"] == "real" else d.get("source", "procedural"))
        name = "synthetic_cinemagraphs" if d["kind"] == "synthetic" else f"`{d['tag']}`"
        by_data[f"- {d['kind'].capitalize()} data {name} version {d['version']}, {where}",
                d.get("note")].append(tables.PATTERN_LABELS[d["subset"]] + "".join(
                    f", {split} {n} clips / {d['sources'][split]} sources"
                    for split, n in d.get("clips", {}).items()))
    lines += [f"{head} ({'; '.join(dict.fromkeys(subsets))})." + (f" {note}" if note else "")
              for (head, note), subsets in by_data.items()]
    lower = any(r["train_seconds"] is None or not r["train_time_complete"] for r in found)
    lines += [f"- Scale `{scale.name}`: {scale.description}. Where a run was trained in both "
              f"precisions, this table reads its {precision} record.",
              f"- Seeds: training {sorted({r['seeds']['train'] for r in found})}, test data "
              f"{sorted({r['seeds']['data'] for r in found})}. Evaluation: greedy policy, "
              f"frames 1 .. length - 1 from frame 0, padding frames not scored.",
              f"- Training time of the runs: {'at least ' if lower else ''}"
              f"{sum(r['train_seconds'] or 0.0 for r in found) / 60:.1f} min in total" + (
                  " (train ≥: resumed from a checkpoint older than its time log; n/a: not "
                  "logged)" if lower else "") + ".",
              "", "| run | data | steps | batch | precision | test sequences | CPU | code "
              "| train (min) | eval (s) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in found:
        hw, patch = r["hardware"], r["mathieu_patch_size"]
        flags = f" ({', '.join(hw['cpu_flags']) or 'no AVX2'})" if "cpu_flags" in hw else ""
        extra = [f"z={r['z_dim']}" if r["z_dim"] is not None else
                 r.get("weights") and "bundled weights, no training",
                 r["num_actions"] and f"Q={r['num_actions']}", patch and f"{patch}x{patch} patches"]
        minutes = ("n/a" if r["train_seconds"] is None else
                   f"{'' if r['train_time_complete'] else '≥ '}{r['train_seconds'] / 60:.1f}")
        lines.append(f"| {r['run']} ({', '.join(e for e in extra if e)}) | {r['data']['tag']} "
                     f"{r['data']['version']} | {r['steps']} | {r['batch_size'] or 'n/a'} | "
                     f"{r['precision']} | {r['test_sequences']} | {hw['cpu']}{flags}, "
                     f"{hw['usable_cores']} cores, load {hw['load_average_1_5_15_min'][0]:.1f} | "
                     f"{r['code'] or 'not recorded'} | {minutes} | {r['eval_seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def write(table, scale, results_dir, data_tag=UNTAGGED):
    """Renders `table` from results_dir/runs into results_dir/<stem>.md and .json
    (atomically); returns both paths."""
    md, data = render(table, scale, os.path.join(results_dir, "runs"), data_tag)
    path = os.path.join(results_dir, stem(table.number, scale.name, data_tag))
    checkpoints.write_atomically(path + ".md", md)
    checkpoints.write_atomically(path + ".json", json.dumps(data, indent=1) + "\n")
    return path + ".md", path + ".json"


def committed(results_dir):
    """(table, scale, data tag) of every table file in results_dir."""
    found = [_FILE.fullmatch(name) for name in sorted(os.listdir(results_dir))]
    return [(tables.TABLES[int(m[1])], tables.SCALES[m[2]], m[3] or UNTAGGED) for m in found if m]


if __name__ == "__main__":
    _DIR = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--results_dir=")),
                "experiments/results")
    for _table, _scale, _tag in committed(_DIR):
        print("\n".join(write(_table, _scale, _DIR, _tag)))
