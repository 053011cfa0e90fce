"""A result file's runs and the runner invocations that produced them: reading and merging.

`table<N>_<scale>.json` holds one record per run (its budget, times and numbers, see
report.RunOutcome.record) and the invocations of experiments/reproduce.py that produced
them (when, wall time, hardware, the real-data note). A table is filled over several
invocations, column by column or cell by cell: the runs not run now are kept from the file
(`kept_runs`), the runs run now replace theirs (`merge`), and the table is rendered from
the union; a cell no invocation has run yet shows only the paper's number.

Runs are only merged at the budget they were recorded with: a kept run whose steps,
batch, precision, Mathieu et al. patches, seeds or synthetic test sequences differ from
the current scale's is refused (the caller may overwrite the file instead: `fresh`). At
the cpu scale precision follows the hardware, except that a table begun in float32 goes
on in float32 everywhere (`follow_float32`).
Files written before this layout (no "format" key) held no per-run numbers: they are
rebuilt from the per-pattern/category cells, which hold exactly one run's numbers.
"""
import dataclasses
import json
import os

from cinegen_tf.training import precision
from experiments import tables

# Layout of the .json: 1 (no "format" key) had no per-run numbers and one invocation;
# 2 keeps each run's numbers ("values", "no_match_rate") and its "invocation".
FORMAT = 2
_FRESH = "pass --fresh (reproduce(..., fresh=True)) to overwrite it with this invocation's runs"


def stem(results_dir, table, scale, data_tag=None):
    """results_dir/table<N>_<scale>[_<data_tag>]: the result files without .md/.json.

    `data_tag` names the real data a table's real columns were trained and scored on
    (reproduce_lib.real_data_tag); None for the data of the first tables (real_clips): a
    new data set is a new table, never merged into one of another data set.
    """
    suffix = f"_{data_tag}" if data_tag else ""
    return os.path.join(results_dir, f"table{table.number}_{scale.name}{suffix}")


def _subsets(columns, data):
    return dict.fromkeys(s for c in columns if c["data"] == data for s in c["subsets"])


def _rebuild_numbers(path, data, table, run, row):
    """Format 1: a run's numbers from the cell of its own pattern/category column."""
    key = next((c["key"] for c in data["columns"]
                if c["data"] == run.data and c["subsets"] == [run.subset]), None)
    if key is None:
        raise ValueError(
            f"{path} was written before runs' own numbers were kept and shows {run.name} "
            f"only inside an average, so it cannot be kept: run "
            f"{tables.PATTERN_LABELS[run.subset]} again with the other columns, or {_FRESH}")
    cells = {(c["row"], c["column"], c["metric"]): c for c in data["cells"]}
    values = {m: cells[(row.key, key, m)]["ours"] for m in table.metrics}
    return values, cells[(row.key, key, table.metrics[0])].get("no_match_rate")


def _read(path, table, scale, replaced, data_tag=None):
    """{Run: record} of the file's runs not in `replaced`, and the file's invocations."""
    try:
        with open(path) as f:
            return _parse(path, json.load(f), table, scale, replaced, data_tag)
    except (json.JSONDecodeError, KeyError, TypeError, IndexError) as e:
        raise ValueError(f"{path} cannot be read back ({type(e).__name__}: {e}); "
                         f"{_FRESH}") from e


def _parse(path, data, table, scale, replaced, data_tag=None):
    if (data.get("table"), data.get("scale")) != (table.number, scale.name):
        raise ValueError(f"{path} holds table {data.get('table')} at scale "
                         f"{data.get('scale')!r}, not table {table.number} at {scale.name!r}")
    if data.get("data_tag") != data_tag:
        raise ValueError(f"{path} holds real data {data.get('data_tag') or 'real_clips'!r}, "
                         f"not {data_tag or 'real_clips'!r}: a data set has its own table")
    old = data.get("format", 1) == 1
    invocations = ([{"finished_utc": None, "wall_seconds": data["wall_seconds"],
                     "hardware": data["hardware"], "real_data_note": data["real_data_note"]}]
                   if old else data["invocations"])
    by_name = {r["run"]: r for r in data["runs"]}
    records = {}
    for row in (table.rows if old else table.all_rows):  # format 1 predates our rows
        for kind in table.data:
            for subset in _subsets(data["columns"], kind):
                run = row.run(kind, subset)
                if run in replaced:
                    continue
                if run.name not in by_name:
                    if old:  # format 1 recorded every run of the columns it showed
                        raise ValueError(f"{path} shows {tables.PATTERN_LABELS[subset]} but "
                                         f"has no record of run {run.name}; {_FRESH}")
                    continue  # a cell not run yet
                record = dict(by_name[run.name])
                if old:
                    record["values"], record["no_match_rate"] = _rebuild_numbers(
                        path, data, table, run, row)
                    record["invocation"] = 1
                records[run] = record
    return records, invocations


def _budget(run, scale):
    """What a run's record must hold to be merged into a table at `scale`."""
    config = tables.run_config(run, scale)
    untrained = config.method in tables.UNTRAINED
    want = {"steps": 0 if untrained else config.train.num_steps,
            "batch_size": config.train.batch_size,
            "mathieu_patch_size": config.mathieu.patch_size
            if config.method == "mathieu" else None,
            "seeds": {"train": config.seed, "data": config.seed}}
    if not untrained:  # nothing trained: no precision
        want["mixed_precision"] = config.train.mixed_precision
    if run.data == "synthetic":  # real: as many clips as the prepared test split has
        want["test_sequences"] = scale.num_test_sequences
    return want


def _difference(run, key, there, now, scale):
    if key == "mixed_precision":  # the cpu scale's precision follows the hardware
        return (f"{run.name} was trained in {precision.label(there)} there, "
                f"{precision.label(now)} at --scale={scale.name} on this machine (bfloat16 "
                f"only where native: cinegen_tf/training/precision.py)")
    return f"{run.name} {key}: {there!r} there, {now!r} at --scale={scale.name} now"


def trained_precisions(runs):
    """The set of `mixed_precision` values of a table file's run records that trained
    (a constant or motion-model run trains nothing, so it has no precision of its own)."""
    return {r["mixed_precision"] for r in runs if r["method"] not in tables.UNTRAINED}


def _recorded_precisions(path, scale):
    """`trained_precisions` of the table file at `path`; None where the scale fixes its
    own precision or the file is missing or unreadable (kept_runs names what is wrong)."""
    if scale.mixed_precision is not None or not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            return trained_precisions(json.load(f)["runs"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None


def follow_float32(path, scale):
    """`scale`, but training in float32 if the trained runs recorded in `path` were.

    Where a scale's precision follows the hardware (cpu: bfloat16 only where native), a
    table begun in float32 stays float32 on bfloat16 hardware too, so any machine can go
    on filling it (float32 costs ~1.7x bfloat16 there, cinegen_tf/training/precision.py).
    A bfloat16 table is not followed: bfloat16 is ~10x slower than float32 off native
    hardware, so there `kept_runs` refuses it instead.
    """
    trained = _recorded_precisions(path, scale)
    return dataclasses.replace(scale, mixed_precision=False) if trained == {False} else scale


def follow_trained_precision(path, scale):
    """`scale` in the precision the trained runs recorded in `path` were trained in, if
    they agree on one; for an invocation that trains nothing (the constant baseline, the
    bundled motion model), which so adds no precision of its own to the table, on any
    hardware."""
    trained = _recorded_precisions(path, scale)
    return (dataclasses.replace(scale, mixed_precision=next(iter(trained)))
            if trained and len(trained) == 1 else scale)


def kept_runs(path, table, scale, runs, data_tag=None):
    """The runs recorded in `path` that are not run now, to keep in the table.

    Args:
      path: table<N>_<scale>[_<data_tag>].json (need not exist).
      table, scale: a tables.Table and tables.Scale.
      runs: the tables.Runs run now (their records are replaced).
      data_tag: the real data the file must be of (`stem`).

    Returns:
      ({Run: record}, invocations) where each record's "invocation" indexes (1-based) the
      file's invocations; ({}, []) when there is no file.

    Raises:
      ValueError: the file cannot be read back, holds another table, or a kept run was
        recorded at another budget than `scale`'s (naming the file and the difference).
    """
    if not os.path.isfile(path):
        return {}, []
    records, invocations = _read(path, table, scale, set(runs), data_tag)
    differences = []
    for run, record in records.items():
        for key, value in _budget(run, scale).items():
            if record.get(key) != value:
                differences.append(_difference(run, key, record.get(key), value, scale))
    if differences:
        raise ValueError(f"{path} holds runs of another budget, which would be mixed with "
                         f"this invocation's ({'; '.join(differences[:4])}"
                         f"{'; ...' if len(differences) > 4 else ''}); run those columns "
                         f"again too, or {_FRESH}")
    return records, invocations


def merge(kept, kept_invocations, new, new_invocation):
    """The union of kept and new records, with the invocations they come from.

    Args:
      kept, kept_invocations: what kept_runs returned.
      new: {Run: record} of this invocation (replacing any kept record of the same run).
      new_invocation: this invocation's record (`invocation`).

    Returns:
      ({Run: record}, invocations): invocations that still gave a run, oldest first and
      this one last; records' "invocation" renumbered to match.
    """
    used = sorted({r["invocation"] for r in kept.values()})
    number = {old: i for i, old in enumerate(used, 1)}
    invocations = [kept_invocations[old - 1] for old in used] + [new_invocation]
    records = {run: dict(r, invocation=number[r["invocation"]]) for run, r in kept.items()}
    records.update({run: dict(r, invocation=len(invocations)) for run, r in new.items()})
    return records, invocations
