"""Lays a reproduced table out like the paper's, with the paper's numbers beside ours.

Writes `table<N>_<scale>.md` (for people) and `.json` (every number, the runs, budget, and
the invocations of the runner that produced them: hardware, wall time). Each cell reads
"ours (paper)". The sentences under the table are generated from the numbers
(experiments/comparison.py). Tables are rendered from run records (`RunOutcome.record`, kept in the
.json), so a table can be re-rendered from its file and merged (experiments/table_file.py).
"""
import dataclasses
import json
import os

import numpy as np

from cinegen_tf.training import checkpoints, precision
from experiments import comparison
from experiments import motion_row
from experiments import paper_numbers
from experiments import provenance
from experiments import table_file
from experiments import tables

@dataclasses.dataclass
class RunOutcome:
    """What one run of the table gave: its config, training record and result.json."""
    run: tables.Run
    workdir: str
    config: object
    training: dict  # reproduce_lib.train_run's return value
    result: dict

    def final_entry(self):
        """The result.json entry of the final step (0 for the constant baseline and the
        bundled motion model)."""
        step = (0 if self.config.method in tables.UNTRAINED
                else int(self.config.train.num_steps))
        entry = self.result["steps"].get(str(step))
        if entry is None:
            raise ValueError(f"{self.workdir}/result.json has no evaluation of step {step} "
                             f"(has {sorted(self.result['steps'])})")
        return entry

    def value(self, metric):
        entry = self.final_entry()
        if metric == "centre_distance":
            if entry["centre_distance"] is None:
                raise ValueError(f"{self.workdir}: no centre distance (not synthetic data?)")
            return entry["centre_distance"]["mean_distance"]
        return entry["metrics"][metric]

    def no_match_rate(self):
        """Share of scored frames where the object was not found (centre distance)."""
        distance = self.final_entry()["centre_distance"]
        return None if distance is None else distance["no_match_rate"]

    def record(self, table):
        """The run's row of the .json: budget, times and its numbers for `table`'s metrics."""
        entry, config = self.final_entry(), self.config
        weights = {"weights": entry["weights"]} if "weights" in entry else {}
        return {"run": self.run.name, "workdir": self.workdir, "method": config.method,
                "data": config.data.to_dict(), "steps": entry["step"],
                "batch_size": config.train.batch_size,
                "mixed_precision": config.train.mixed_precision,
                "z_dim": config.model.z_dim,
                "num_actions": config.model.num_actions if config.method == "rnn_dqn" else None,
                "mathieu_patch_size": config.mathieu.patch_size
                if config.method == "mathieu" else None,
                "seeds": self.result["seeds"],
                "test_sequences": entry["counts"]["num_clips"],
                "train_seconds": self.training["train_seconds"],
                "train_time_complete": self.training["train_time_complete"],
                "trained_in_this_invocation": self.training["trained_now"],
                "eval_seconds": entry["eval_seconds"],
                "values": {m: self.value(m) for m in table.metrics},
                "no_match_rate": self.no_match_rate(), **weights}


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
        if not subsets:
            continue
        if table.per_subset:
            out += [Column(s, tables.PATTERN_LABELS[s], data, (s,)) for s in subsets]
        if table.averages:
            if table.per_subset:  # Table 3: an "Average" after each kind's columns
                out.append(Column(f"{data}_average", f"{data.capitalize()} average", data,
                                  subsets))
            else:  # Table 5: only the averages
                out.append(Column(data, data.capitalize(), data, subsets))
    return out


def paper_value(table, row, column, metric_index):
    """The paper's number for a cell, None for a row not in the paper (ours)."""
    if row.key not in paper_numbers.TABLES[table.number]:
        return None
    value = paper_numbers.TABLES[table.number][row.key][column.key]
    return value[metric_index] if isinstance(value, tuple) else value


def _fmt(metric, value, paper=False):
    """Ours: PSNR to 0.01 dB, SSIM to 4 digits, distances to 0.001 px; the paper's as printed."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "n/a"
    if paper or "ssim" in metric:
        return f"{value:.4f}"
    return f"{value:.2f}" if "psnr" in metric else f"{value:.3f}"


def _subsets_of(records, data):
    """The patterns ("synthetic") or categories ("real") of `records`, in the paper's order."""
    have = {run.subset for run in records if run.data == data}
    return tuple(s for s in (tables.PATTERNS if data == "synthetic" else tables.CATEGORIES)
                 if s in have)


def filled(records, row, column):
    """Whether every run of the cell (row, column) has a record (has been run)."""
    return all(row.run(column.data, s) in records for s in column.subsets)


def cell_values(table, records, patterns, categories):
    """{(row key, column key, metric): (ours, paper)} for every cell; records: {Run: record}.

    `ours` is None for a cell not (fully) run yet."""
    cells = {}
    for row in table.rows:
        for column in columns(table, patterns, categories):
            for i, metric in enumerate(table.metrics):
                ours = [records[row.run(column.data, s)]["values"][metric]
                        for s in column.subsets] if filled(records, row, column) else [None]
                value = float(np.mean(ours)) if all(v is not None for v in ours) else None
                cells[(row.key, column.key, metric)] = (value, paper_value(table, row, column, i))
    return cells


def no_match_rates(table, records, patterns, categories):
    """{(row key, column key): mean no-match rate of its runs} for centre-distance tables."""
    if "centre_distance" not in table.metrics:
        return {}
    return {(row.key, column.key): float(np.mean([
                records[row.run(column.data, s)]["no_match_rate"] for s in column.subsets]))
            for row in table.rows for column in columns(table, patterns, categories)
            if filled(records, row, column)}


def _markdown(table, scale, cols, cells, no_match, sentences, records, invocations, not_run):
    lines = [f"# Table {table.number} at the `{scale.name}` scale", "",
             f"{table.title}. Each cell: **ours** (paper). Produced by "
             f"`python -m experiments.reproduce --table={table.number} --scale={scale.name}`; "
             f"never edited by hand.", ""]
    header = ["Method"] + [f"{c.label} {tables.METRIC_LABELS[m]}" if len(table.metrics) > 1
                           else c.label for c in cols for m in table.metrics]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    empty = []
    for row in table.rows:
        values = []
        for c in cols:
            done = filled(records, row, c)
            if not done:
                empty.append(f"{row.label} on {c.label}")
            for m in table.metrics:
                ours, paper = cells[(row.key, c.key, m)]
                value = (f"**{_fmt(m, ours)}**" if done else "not run"
                         ) + f" ({_fmt(m, paper, paper=True)})"
                if (row.key, c.key) in no_match:
                    value += f", no match in {100 * no_match[(row.key, c.key)]:.0f}% of frames"
                values.append(value)
        lines.append(f"| {row.label} | " + " | ".join(values) + " |")
    lines += ["", "## How ours compares", ""] + [f"- {s}" for s in sentences]
    notes = []
    if empty:
        notes.append(f"Cells not run yet at this scale (paper numbers only): "
                     f"{', '.join(empty)}.")
    if not_run:
        notes.append(f"Columns not run here (paper numbers in experiments/paper_numbers.py): "
                     f"{', '.join(not_run)}.")
    for c in cols:
        if c.key.endswith("average") or c.key in ("synthetic", "real"):
            full = tables.PATTERNS if c.data == "synthetic" else tables.CATEGORIES
            if set(c.subsets) != set(full):
                notes.append(f"Our {c.label} averages {', '.join(c.subsets)} only; the "
                             f"paper's averages all of {', '.join(full)}.")
    notes += provenance.real_data_notes(records, invocations)
    notes += motion_row.weights_notes(records)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    runs = list(records.values())
    total_train = sum(r["train_seconds"] or 0.0 for r in runs)
    partial = any(not r.get("train_time_complete", True) for r in runs)
    lines += ["", "## Budget, data and hardware", "",
              f"- Scale `{scale.name}`: {scale.description}.",
              f"- Seeds: training {sorted({r['seeds']['train'] for r in runs})}, test data "
              f"{sorted({r['seeds']['data'] for r in runs})}. Evaluation: greedy policy, "
              f"frames 1 .. length - 1 from frame 0, padding frames not scored.",
              *provenance.invocation_lines(records, invocations),
              f"- Training time of the runs (whenever trained): "
              f"{'at least ' if partial else ''}{total_train / 60:.1f} min in total"
              f"{_partial_note(runs)}. Each run below names the invocation that added it to "
              f"this table; a run trained and scored before (e.g. for another table) is read "
              f"from its result.json, and that invocation's wall time leaves out its training "
              f"and scoring.",
              "",
              "| run | invocation | steps | batch | precision | test sequences | train (min) "
              "| eval (s) |", "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        extra = ([f"z={r['z_dim']}"] if r["z_dim"] is not None else
                 ["bundled weights, no training"] if r.get("weights") else [])
        extra += [f"Q={r['num_actions']}"] if r["num_actions"] else []
        if r["mathieu_patch_size"]:
            extra.append(f"{r['mathieu_patch_size']}x{r['mathieu_patch_size']} patches")
        lines.append(f"| {r['run']} ({', '.join(extra)}) | {r['invocation']} | {r['steps']} | "
                     f"{'n/a' if r['batch_size'] is None else r['batch_size']} | "
                     f"{precision.label(r['mixed_precision'])} | "
                     f"{r['test_sequences']} | {_minutes(r)} | "
                     f"{r['eval_seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def _minutes(record):
    """A run's training time in minutes: "≥ x" for a lower bound, "n/a" if never logged."""
    if record["train_seconds"] is None:
        return "n/a"
    bound = "" if record.get("train_time_complete", True) else "≥ "
    return f"{bound}{record['train_seconds'] / 60:.1f}"


def _partial_note(runs):
    """Says which runs' times are lower bounds and which were never logged."""
    bound = [r["run"] for r in runs if r["train_seconds"] is not None
             and not r.get("train_time_complete", True)]
    unknown = [r["run"] for r in runs if r["train_seconds"] is None]
    parts = []
    if bound:
        parts.append(f"{', '.join(bound)}: resumed from a checkpoint saved before training "
                     f"time was logged with checkpoints; only the sessions after it are counted")
    if unknown:
        parts.append(f"{', '.join(unknown)}: no training time was logged, none is counted")
    return f" ({'; '.join(parts)})" if parts else ""


def write_table(table, scale, records, invocations, results_dir, data_tag=None):
    """Writes results_dir/table<N>_<scale>[_<data_tag>].md and .json (atomically); returns
    both paths.

    Args:
      table, scale: a tables.Table and tables.Scale.
      records: {tables.Run: RunOutcome.record(table) plus "invocation", a 1-based index
        into `invocations`}; their patterns/categories are the columns shown.
      invocations: the runner invocations that produced the records (experiments/
        provenance.invocation), oldest first.
      results_dir: where to write.
      data_tag: the real data's name in the file name (table_file.stem); None for none.
    """
    table = table.shown(records)  # our row only once it has runs
    patterns, categories = _subsets_of(records, "synthetic"), _subsets_of(records, "real")
    cols = columns(table, patterns, categories)
    cells = cell_values(table, records, patterns, categories)
    sentences = comparison.sentences(table, cells, cols, records)
    records = {run: records[run] for run in table.runs(patterns, categories)
               if run in records}  # table order
    chosen = {s for c in cols for s in c.subsets}
    every = [s for d in table.data for s in (tables.PATTERNS if d == "synthetic"
                                             else tables.CATEGORIES)]
    not_run = [tables.PATTERN_LABELS[s] for s in every if s not in chosen]
    no_match = no_match_rates(table, records, patterns, categories)
    markdown = _markdown(table, scale, cols, cells, no_match, sentences, records, invocations,
                         not_run)
    data = {"format": table_file.FORMAT, "table": table.number, "scale": scale.name,
            "title": table.title, "scale_description": scale.description,
            "columns": [dataclasses.asdict(c) for c in cols],
            "metrics": list(table.metrics), "lower_is_better": table.lower_is_better,
            "cells": [dict({"row": r, "column": c, "metric": m, "ours": v[0], "paper": v[1]},
                           **({"no_match_rate": no_match[(r, c)]} if (r, c) in no_match else {}))
                      for (r, c, m), v in cells.items()],
            "comparison": sentences, "not_run": not_run, "runs": list(records.values()),
            "invocations": invocations}
    if data_tag:
        data["data_tag"] = data_tag
    os.makedirs(results_dir, exist_ok=True)
    stem = table_file.stem(results_dir, table, scale, data_tag)
    checkpoints.write_atomically(stem + ".md", markdown)
    checkpoints.write_atomically(stem + ".json", json.dumps(data, indent=1) + "\n")
    return stem + ".md", stem + ".json"
