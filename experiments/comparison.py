"""How our numbers compare with the paper's, in generated sentences.

Under each reproduced table (experiments/report.py): for each metric, whether our ranking
of the methods matches the paper's column by column, and in how many cells ours falls
short of or matches/beats the paper's, with the mean difference and the budget it was
trained on. Nothing here is written by hand; the sentences follow from the numbers.
"""
import numpy as np

from experiments import paper_numbers
from experiments import tables


def sentences(table, cells, cols, records):
    """Generated sentences: rankings vs the paper's, and where we fall short or beat it."""
    out, at = [], budget(records)
    labels = {row.key: row.label for row in table.rows}
    # Rows not in the paper (ours) have no paper number to rank or compare with.
    rows = [r for r in table.rows if r.key in paper_numbers.TABLES[table.number]]
    for i, metric in enumerate(table.metrics):
        name = tables.METRIC_LABELS[metric]
        sign = 1 if table.lower_is_better else -1
        same, details = 0, []
        for column in cols:
            ours = {r.key: cells[(r.key, column.key, metric)][0] for r in rows}
            paper = {r.key: cells[(r.key, column.key, metric)][1] for r in rows}
            if any(v is None for v in ours.values()):
                continue
            order_ours = sorted(ours, key=lambda k: sign * ours[k])
            order_paper = sorted(paper, key=lambda k: sign * paper[k])
            same += order_ours == order_paper
            details.append(f"{column.label}: ours {' > '.join(labels[k] for k in order_ours)}"
                           f", paper {' > '.join(labels[k] for k in order_paper)}")
        if details and len(rows) > 1:
            out.append(f"Ranking by {name} (best first) matches the paper's in {same} of "
                             f"{len(details)} columns ({'; '.join(details)}).")
        diffs = [c[0] - c[1] for (_, _, m), c in cells.items()
                 if m == metric and c[0] is not None and c[1] is not None]
        if diffs:
            worse = sum((d > 0) if table.lower_is_better else (d < 0) for d in diffs)
            unit = " dB" if "psnr" in metric else " px" if metric == "centre_distance" else ""
            out.append(
                f"{name}: ours falls short of the paper in {worse} of {len(diffs)} cells and "
                f"matches or beats it in {len(diffs) - worse} (mean ours - paper "
                f"{np.mean(diffs):+.4g}{unit}{'; lower is better' if table.lower_is_better else ''})"
                f", at {at}.")
    return out


def budget(records):
    """The training budget of `records` ({Run: record}) beside the paper's, in words."""
    trained = {run.data: r for run, r in records.items()
               if r["method"] not in tables.UNTRAINED}
    parts = []
    for data, r in sorted(trained.items()):
        parts.append(f"{r['steps']} iterations of batch {r['batch_size']} "
                     f"{'(bfloat16) ' if r['mixed_precision'] else ''}on {data} data "
                     f"(paper: {paper_numbers.STEPS[data]} of {paper_numbers.BATCH})")
    return "; ".join(parts) or "no training"
