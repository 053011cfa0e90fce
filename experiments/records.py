"""Run records: what one training + evaluation of a table's run gave, one small JSON file each
at `<root>/<scale>/<data tag>/<run name>.<precision>.json`; tables are rendered from them alone
(experiments/report.py). Fields (FORMAT 1): those `make` writes, and in records rebuilt from
the first table files a "migrated" that says how; batch_size None: nothing trained;
train_seconds None: not logged; train_time_complete False: a lower bound.
"""
import glob
import json
import os
import platform
import subprocess
import time

import keras
import tensorflow as tf

from cinegen_tf.training import checkpoints, precision
from experiments import tables

FORMAT = 1
_REQUIRED = {"format": int, "run": str, "method": str, "scale": str, "data": dict,
             "config": dict, "steps": int, "precision": str, "seeds": dict,
             "test_sequences": int, "hardware": dict, "train_time_complete": bool,
             "eval_seconds": (int, float), "metrics": dict}


def relative_path(record):
    """<scale>/<data tag>/<run name>.<precision>.json: where `record` lives under a root."""
    return os.path.join(record["scale"], record["data"]["tag"],
                        f"{record['run']}.{record['precision']}.json")


def validate(record, where):
    """`record`, if a run record of FORMAT; else raises ValueError naming `where`."""
    problems = [f"{key} missing or not {getattr(kind, '__name__', 'a number')}"
                for key, kind in _REQUIRED.items() if not isinstance(record.get(key), kind)]
    if not problems:
        problems = [f"data.{k} missing" for k in ("kind", "subset", "tag", "version")
                    if k not in record["data"]]
        problems += [f"{k} {record[k]!r}" for k, ok in (
            ("format", (FORMAT,)), ("precision", ("float32", "bfloat16"))) if record[k] not in ok]
    if problems:
        raise ValueError(f"{where} is not a run record ({'; '.join(problems)})")
    return record


def write(root, record):
    """Writes `record` (validated) atomically under `root`; returns its path."""
    path = os.path.join(root, relative_path(validate(record, record.get("run"))))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    checkpoints.write_atomically(path, json.dumps(record, indent=1) + "\n")
    return path


def read_all(root, scale):
    """{path relative to root: record} of every record of `scale` under `root`, validated;
    a file whose place is not its record's `relative_path` is refused (moved by hand)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(root, scale, "*", "*"))):
        relative = os.path.relpath(path, root)
        try:
            with open(path) as f:
                out[relative] = validate(json.load(f), path)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path} is not JSON: {e}") from e
        if relative_path(out[relative]) != relative:
            raise ValueError(f"{path} holds the record of {relative_path(out[relative])}")
    return out


def flatten(d, prefix=""):
    """{"a.b": value} of a nested dict."""
    return {k: v for key, value in d.items() for k, v in (
        flatten(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value}
    ).items()}


def overrides(base, config):
    """{"section.key": value} where ConfigDict `config` differs from `base` (its config file's)."""
    old, new = (flatten(json.loads(c.to_json_best_effort())) for c in (base, config))
    return {k: v for k, v in sorted(new.items()) if old.get(k, object()) != v}


def make(run, config, scale, data, result, training, code, hardware):
    """The record of `run` (tables.Run) scored in `result` (a result.json dict) at its final
    step; config: tables.run_config's; data: reproduce.describe_data's; training:
    {train_seconds, train_time_complete}; code: code_version() when the runner started."""
    entry = result["steps"][str(result["latest_step"])]
    metrics, distance = dict(entry["metrics"]), entry.get("centre_distance")
    if distance:
        metrics.update(centre_distance=distance["mean_distance"],
                       no_match_rate=distance["no_match_rate"])
    if entry.get("ghost"):
        metrics.update(ghost=entry["ghost"]["ghost"], ghost_ratio=entry["ghost"]["ghost_ratio"])
    trained = entry["step"] > 0
    return validate({
        "format": FORMAT, "run": run.name, "method": config.method, "scale": scale, "data": data,
        "config": {"file": tables.config_file(run),
                   "overrides": overrides(tables.base_config(run), config)},
        "steps": entry["step"], "batch_size": config.train.batch_size if trained else None,
        "precision": precision.label(bool(config.train.mixed_precision)),
        "z_dim": config.model.z_dim,
        "num_actions": config.model.num_actions if config.method == "rnn_dqn" else None,
        "mathieu_patch_size": config.mathieu.patch_size if config.method == "mathieu" else None,
        "seeds": result["seeds"], "test_sequences": entry["counts"]["num_clips"],
        "code": code, "hardware": hardware,
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **training, "eval_seconds": entry["eval_seconds"], "metrics": metrics,
        **({"weights": entry["weights"]} if "weights" in entry else {})}, run.name)


def hardware():
    """{"cpu": model, "cpu_flags": its speed-deciding flags (/proc/cpuinfo), "logical_cores",
    "usable_cores", "tensorflow", "keras", "python": versions, "load_average_1_5_15_min"}."""
    model = precision.cpuinfo_field(("model name",)) or platform.processor() or "unknown"
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"cpu": model, "cpu_flags": precision.speed_flags(), "logical_cores": os.cpu_count(),
            "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version(), "load_average_1_5_15_min": list(load)}


def code_version():
    """`git describe --always --abbrev=10` of the repository ("<commit>[-dirty]"), or None.
    Changes to experiments/results/ (the runners' own output) do not count as dirty."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit, changed = (subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10).stdout.strip()
            for args in (("describe", "--always", "--abbrev=10"), ("status", "--porcelain",
                         "--untracked-files=no", "--", ".", ":!experiments/results")))
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if changed else "") if commit else None

