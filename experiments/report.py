"""A paper table rendered from run records and nothing else, ours beside the paper's numbers.

    python -m experiments.report [--results_dir=experiments/results]

re-renders every table<N>_<scale>[_<tag>].md/.json in results_dir from the records in
results_dir/runs (experiments/records.py), with no training or scoring; the runner
(experiments/reproduce.py) does so for its table. tests/report_test.py fails while a
committed table differs from its rendering.

`render(table, scale, records_root, data_tag)` -> (markdown, json dict). The table of the
first real data ("real_clips": no suffix in its file names) has synthetic and real
columns, that of another tag only its real columns. A run is read from its record that
holds the table's metrics; where it has one in each precision, from the table's precision:
the one most of its trained runs have (float32 on a tie). A column is shown once one of its
runs has a record, our rows (tables.Table.ours) once they have records. What a table's
cells of one kind of data do not all share (data version, precision, steps x batch) each
of those cells names, so a mix is never averaged silently.
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


def stem(table_number, scale_name, data_tag=UNTAGGED):
    """table<N>_<scale>[_<tag>]: a table's file name without .md/.json."""
    return f"table{table_number}_{scale_name}" + ("" if data_tag == UNTAGGED else f"_{data_tag}")


@dataclasses.dataclass(frozen=True)
class Column:
    key: str  # paper_numbers key: a pattern/category, "<data>_average" or "<data>"
    label: str
    data: str
    subsets: tuple


def columns(table, patterns, categories):
    """The table's columns for the chosen patterns/categories, in the paper's order."""
    out = []
    for data in table.data:
        subsets = table.subsets(data, patterns, categories)
        if subsets and table.per_subset:
            out += [Column(s, tables.PATTERN_LABELS[s], data, (s,)) for s in subsets]
        if subsets and table.averages:  # Table 3: "<Data> average" columns; Table 5: only them
            key, label = ((f"{data}_average", f"{data.capitalize()} average") if table.per_subset
                          else (data, data.capitalize()))
            out.append(Column(key, label, data, subsets))
    return out


def _fmt(metric, value, paper=False):
    if value is None or not np.isfinite(value):
        return "n/a"
    if paper or "ssim" in metric:
        return f"{value:.4f}"
    return f"{value:.2f}" if "psnr" in metric else f"{value:.3f}"


def choose(table, found, data_tag=UNTAGGED):
    """({Run: (path, record)}, precision): one record per run of `table` among `found`."""
    tags = {"synthetic": "synthetic" if data_tag == UNTAGGED else None, "real": data_tag}
    runs = {run.name: run for run in table.runs(tables.PATTERNS, tables.CATEGORIES,
                                                [row.key for row in table.all_rows])}
    candidates = collections.defaultdict(dict)
    for path, r in found.items():
        run = runs.get(r["run"])
        if run and r["data"]["tag"] == tags[run.data] and set(table.metrics) <= set(r["metrics"]):
            candidates[run][r["precision"]] = (path, r)
    trained = collections.Counter(p for run, c in candidates.items()
                                  if run.method not in tables.UNTRAINED for p in c)
    chosen = max(("float32", "bfloat16"), key=lambda p: trained[p])
    return {run: c.get(chosen) or next(iter(c.values())) for run, c in candidates.items()}, chosen


def _attributes(r):
    trained = r["method"] not in tables.UNTRAINED
    return {"data": f"data {r['data']['version']}", "precision": trained and r["precision"],
            "budget": trained and f"{r['steps']} x {r['batch_size']}"}


def _sentences(table, cells, cols, chosen):
    """Generated: our ranking of the paper's rows vs the paper's, and ours - paper."""
    trained = {run.data: r for run, (_, r) in chosen.items() if run.method not in tables.UNTRAINED}
    budget = "; ".join(f"{r['steps']} iterations of batch {r['batch_size']} ({r['precision']}) on "
                       f"{data} data (paper: {paper_numbers.STEPS[data]} of {paper_numbers.BATCH})"
                       for data, r in sorted(trained.items()))
    rows = [r for r in table.rows if r.key in paper_numbers.TABLES[table.number]]
    sign, out = 1 if table.lower_is_better else -1, []
    for metric in table.metrics:
        name, same, details = tables.METRIC_LABELS[metric], 0, []
        for c in cols:
            ours, paper = ({r: cells[(r.key, c.key, metric)][i] for r in rows} for i in (0, 1))
            if len(rows) > 1 and None not in ours.values():
                order = [sorted(v, key=lambda r, v=v: sign * v[r]) for v in (ours, paper)]
                same += order[0] == order[1]
                details.append(f"{c.label}: " + ", ".join(
                    f"{who} {' > '.join(r.label for r in o)}"
                    for who, o in zip(("ours", "paper"), order)))
        if details:
            out.append(f"Ranking by {name} (best first) matches the paper's in {same} of "
                       f"{len(details)} columns ({'; '.join(details)}).")
        diffs = [o - p for (_, _, m), (o, p, *_) in cells.items()
                 if m == metric and o is not None and p is not None]
        if diffs:
            worse = sum(d > 0 if table.lower_is_better else d < 0 for d in diffs)
            unit = " dB" if "psnr" in metric else " px" if metric == "centre_distance" else ""
            out.append(f"{name}: ours falls short of the paper in {worse} of {len(diffs)} cells "
                       f"and matches or beats it in {len(diffs) - worse} (mean ours - paper "
                       f"{np.mean(diffs):+.4g}{unit}"
                       f"{'; lower is better' if table.lower_is_better else ''}), at {budget}.")
    return out


def render(table, scale, records_root, data_tag=UNTAGGED):
    """(markdown, json dict) of `table` (tables.Table) at `scale` (tables.Scale) from the
    records under `records_root` of the synthetic data and real data `data_tag`."""
    chosen, precision = choose(table, records.read_all(records_root, scale.name), data_tag)
    table = table.shown(chosen)
    chosen = {run: chosen[run] for run in table.runs(tables.PATTERNS, tables.CATEGORIES)
              if run in chosen}  # table order
    have = {run.subset for run in chosen}
    cols = columns(table, *[[s for s in group if s in have]
                            for group in (tables.PATTERNS, tables.CATEGORIES)])
    varying = {kind: sorted(a for a in ("data", "precision", "budget") if len(
        {_attributes(r)[a] for run, (_, r) in chosen.items() if run.data == kind} - {False}) > 1)
        for kind in table.data}
    cells, empty = {}, []
    for row in table.rows:
        for c in cols:
            got = [chosen.get(row.run(c.data, s), (None, None))[1] for s in c.subsets]
            done = None not in got
            empty += [] if done else [f"{row.label} on {c.label}"]
            marks = [" + ".join(sorted({_attributes(r)[a] for r in got}))
                     for a in varying[c.data] if done and _attributes(got[0])[a]]
            if done and "centre_distance" in table.metrics:
                rate = np.mean([r["metrics"]["no_match_rate"] for r in got])
                marks.append(f"no match in {100 * rate:.0f}% of frames")
            for i, m in enumerate(table.metrics):
                paper = paper_numbers.TABLES[table.number].get(row.key, {}).get(c.key)
                ours = float(np.mean([r["metrics"][m] for r in got])) if done and None not in [
                    r["metrics"][m] for r in got] else None
                cells[(row.key, c.key, m)] = (
                    ours, paper[i] if isinstance(paper, tuple) else paper, marks, done)
    shown = {s for c in cols for s in c.subsets}
    not_run = [tables.PATTERN_LABELS[s] for d in table.data for s in
               (tables.PATTERNS if d == "synthetic" else tables.CATEGORIES) if s not in shown]
    notes = ([f"Cells not run yet at this scale (paper numbers only): {', '.join(empty)}."]
             if empty else [])
    notes += ([f"Columns not run here (paper numbers in experiments/paper_numbers.py): "
               f"{', '.join(not_run)}."] if not_run else [])
    for c in cols:
        full = tables.PATTERNS if c.data == "synthetic" else tables.CATEGORIES
        if c.subsets != (c.key,) and set(c.subsets) != set(full):
            notes.append(f"Our {c.label} averages {', '.join(c.subsets)} only; the paper's "
                         f"averages all of {', '.join(full)}.")
    notes += [f"The {kind} cells do not all share one {' / '.join(a)}: each cell names its own."
              for kind, a in varying.items() if a]
    notes += motion_row.weights_notes({run: r for run, (_, r) in chosen.items()})
    sentences = _sentences(table, cells, cols, chosen)
    md = _markdown(table, scale, cols, cells, sentences, notes, chosen, precision,
                   os.path.basename(os.path.normpath(records_root)), data_tag)
    return md, {"format": 3, "table": table.number, "scale": scale.name, "data_tag": data_tag,
                "title": table.title, "precision": precision, "metrics": list(table.metrics),
                "columns": [dataclasses.asdict(c) for c in cols],
                "cells": [{"row": row, "column": col, "metric": m, "ours": o,
                           "paper": p, "marks": marks}
                          for (row, col, m), (o, p, marks, done) in cells.items()],
                "comparison": sentences, "not_run": not_run,
                "records": [path for path, _ in chosen.values()]}


def _markdown(table, scale, cols, cells, sentences, notes, chosen, precision, records_dir,
              data_tag):
    header = ["Method"] + [c.label + (f" {tables.METRIC_LABELS[m]}" if len(table.metrics) > 1
                                      else "") for c in cols for m in table.metrics]
    lines = [f"# Table {table.number} at the `{scale.name}` scale"
             + ("" if data_tag == UNTAGGED else f" on `{data_tag}`"), "",
             f"{table.title}. Each cell: **ours** (paper). Rendered from the run records in "
             f"`{records_dir}/{scale.name}/` beside this file (made by `python -m "
             f"experiments.reproduce --table={table.number} --scale={scale.name}`) by "
             f"`python -m experiments.report`; never edited by hand.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.rows:
        shown = [(m, *cells[(row.key, c.key, m)]) for c in cols for m in table.metrics]
        lines.append(f"| {row.label} | " + " | ".join(
            (f"**{_fmt(m, o)}**" if done else "not run") + f" ({_fmt(m, p, paper=True)})"
            + "".join(f", {mark}" for mark in marks) for m, o, p, marks, done in shown) + " |")
    lines += ["", "## How ours compares", ""] + [f"- {s}" for s in sentences]
    lines += ["", "## Notes", ""] + [f"- {n}" for n in notes] if notes else []
    found = [r for _, r in chosen.values()]
    by_data = collections.defaultdict(list)
    for r in found:
        d = r["data"]
        by_data[json.dumps({k: v for k, v in d.items() if k not in ("subset", "clips", "sources")})
                ].append(tables.PATTERN_LABELS[d["subset"]] + "".join(
                    f", {split} {n} clips" + (f" / {d['sources'][split]} sources"
                                                if split in d.get("sources", {}) else "")
                    for split, n in d.get("clips", {}).items()))
    lines += ["", "## Data, budget and hardware", ""]
    for key, subsets in by_data.items():
        d = json.loads(key)
        where = (f"TFDS real_cinemagraphs in {d.get('data_dir') or 'the default data_dir'}"
                 + (f", built from {d['manual_dir']}" if d.get("manual_dir") else "")
                 if d["kind"] == "real" else d.get("source", "procedural"))
        name = "synthetic_cinemagraphs" if d["kind"] == "synthetic" else f"`{d['tag']}`"
        lines.append(f"- {d['kind'].capitalize()} data {name} version {d['version']}, {where} "
                     f"({'; '.join(dict.fromkeys(subsets))})." + (f" {d['note']}" if d.get(
                         "note") else ""))
    bound = [r["run"] for r in found if r["train_seconds"] and not r["train_time_complete"]]
    unknown = [r["run"] for r in found if r["train_seconds"] is None]
    lines += [f"- Scale `{scale.name}`: {scale.description}. Where a run was trained in both "
              f"precisions, this table reads its {precision} record.",
              f"- Seeds: training {sorted({r['seeds']['train'] for r in found})}, test data "
              f"{sorted({r['seeds']['data'] for r in found})}. Evaluation: greedy policy, "
              f"frames 1 .. length - 1 from frame 0, padding frames not scored.",
              f"- Training time of the runs: {'at least ' if bound or unknown else ''}"
              f"{sum(r['train_seconds'] or 0.0 for r in found) / 60:.1f} min in total"
              + (f" ({', '.join(bound)}: resumed from a checkpoint older than the time log, "
                 f"only later sessions counted)" if bound else "")
              + (f" ({', '.join(unknown)}: no training time logged)" if unknown else "") + ".",
              "", "| run | data | steps | batch | precision | test sequences | CPU | code "
              "| train (min) | eval (s) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in found:
        hw = r["hardware"]
        flags = f" ({', '.join(hw['cpu_flags']) or 'no AVX2'})" if "cpu_flags" in hw else ""
        extra = ([f"z={r['z_dim']}"] if r["z_dim"] is not None else
                 ["bundled weights, no training"] if r.get("weights") else [])
        extra += [f"Q={r['num_actions']}"] if r["num_actions"] else []
        extra += [f"{r['mathieu_patch_size']}x{r['mathieu_patch_size']} patches"
                  ] if r["mathieu_patch_size"] else []
        minutes = ("n/a" if r["train_seconds"] is None else
                   f"{'' if r['train_time_complete'] else '≥ '}{r['train_seconds'] / 60:.1f}")
        lines.append(f"| {r['run']} ({', '.join(extra)}) | {r['data']['tag']} "
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
    for _args in committed(_DIR):
        print("\n".join(write(*_args[:2], _DIR, _args[2])))
