"""A run record: what one training + evaluation of a table's run gave, in one small JSON file.

Tables are rendered from records and nothing else (experiments/report.py). The runner
(experiments/reproduce.py) keeps a run's record in its workdir, as the "record" of its
result.json (cinegen_tf/evaluation/result_file.py), and copies it to the records folder,
`<root>/<scale>/<data tag>/<run name>.<precision>.json` (`relative_path`), e.g.
experiments/results/runs/cpu/synthetic/synthetic-eight-rnn_dqn.float32.json. A record
(FORMAT 1) is a dict:

    run, method, scale   tables.Run.name ("synthetic-eight-rnn_dqn-z4"), config.method, scale
    data        {"kind": "synthetic"|"real", "subset": pattern|category, "tag": "synthetic"
                 or the real data's name ("real_clips", "real_cinemagraphs"), "version": the
                 dataset version ("2.0.0"); real data also "data_dir", "manual_dir",
                 "clips" and "sources" ({split: count}), "note"}
    config      {"file": "experiments/configs/synthetic.py:eight,rnn_dqn", "overrides":
                 {"train.num_steps": 240, ...}: the keys where the run differs from it}
    steps, batch_size, precision ("float32"|"bfloat16"), z_dim, num_actions,
    mathieu_patch_size   the budget (steps 0, batch None: nothing trained)
    seeds       {"train", "data"}; test_sequences: how many were scored
    code, hardware, finished_utc   `git describe` of the code that scored it
                 (experiments/provenance.py), the machine (CPU model, speed flags, cores,
                 versions, load average), when
    train_seconds (None: never logged), train_time_complete (False: a lower bound),
    eval_seconds
    metrics     {"psnr", "ssim", "frame_diff_psnr", "frame_diff_ssim", "centre_distance",
                 "no_match_rate", "ghost", "ghost_ratio"}: what it was scored on (the last
                 four: synthetic only; ghost: cinegen_tf/evaluation/ghost.py)
    weights     the bundled motion model's weights file, sha256 and meta (motion runs only)
    migrated    how a record rebuilt from an older table file was made (those only)
"""
import json
import os
import time

from cinegen_tf.training import checkpoints, precision

FORMAT = 1
_NUMBER = (int, float)
_REQUIRED = {"format": int, "run": str, "method": str, "scale": str, "data": dict,
             "config": dict, "steps": int, "precision": str, "seeds": dict,
             "test_sequences": int, "hardware": dict, "train_time_complete": bool,
             "eval_seconds": _NUMBER, "metrics": dict}
_DATA = ("kind", "subset", "tag", "version")


def relative_path(record):
    """<scale>/<data tag>/<run name>.<precision>.json: where `record` lives under a root."""
    return os.path.join(record["scale"], record["data"]["tag"],
                        f"{record['run']}.{record['precision']}.json")


def validate(record, where):
    """`record`, if a run record of FORMAT; else raises ValueError naming `where`."""
    problems = [f"{key} missing or not {getattr(kind, '__name__', 'a number')}"
                for key, kind in _REQUIRED.items() if not isinstance(record.get(key), kind)]
    problems += [] if problems else [f"data.{k} missing" for k in _DATA
                                     if k not in record["data"]] + [
        f"{k} {record[k]!r}" for k, ok in (("format", (FORMAT,)), ("precision", (
            "float32", "bfloat16"))) if record[k] not in ok]
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
    out, folder = {}, os.path.join(root, scale)
    for tag in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
        for name in sorted(os.listdir(os.path.join(folder, tag))):
            relative, path = os.path.join(scale, tag, name), os.path.join(folder, tag, name)
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
    out = {}
    for key, value in d.items():
        out.update(flatten(value, f"{prefix}{key}.") if isinstance(value, dict)
                   else {f"{prefix}{key}": value})
    return out


def overrides(base, config):
    """{"section.key": value} where ConfigDict `config` differs from `base` (its config file's)."""
    old, new = (flatten(json.loads(c.to_json_best_effort())) for c in (base, config))
    return {k: v for k, v in sorted(new.items()) if old.get(k, object()) != v}


def make(run, config, config_file, base, scale, data, result, training, code, hardware):
    """The record of `run` (tables.Run) scored in `result` (a result.json dict) at its final step.

    Args:
      config, base: the run's ConfigDict and its config file's (`config_file`, e.g.
        "experiments/configs/real.py:fire,rnn"), before the scale's overrides.
      scale: the scale's name. data: the "data" dict (see the module docstring).
      training: {"train_seconds", "train_time_complete"} (reproduce.train_run).
      code, hardware: provenance.code_version() at the start, provenance.hardware().
    """
    entry = result["steps"][str(result["latest_step"])]
    metrics = dict(entry["metrics"])
    distance = entry.get("centre_distance")
    if distance:
        metrics.update(centre_distance=distance["mean_distance"],
                       no_match_rate=distance["no_match_rate"])
    if entry.get("ghost"):
        metrics.update(ghost=entry["ghost"]["ghost"], ghost_ratio=entry["ghost"]["ghost_ratio"])
    trained = entry["step"] > 0
    record = {
        "format": FORMAT, "run": run.name, "method": config.method, "scale": scale,
        "data": data, "config": {"file": config_file, "overrides": overrides(base, config)},
        "steps": entry["step"], "batch_size": config.train.batch_size if trained else None,
        "precision": precision.label(bool(config.train.mixed_precision)),
        "z_dim": config.model.z_dim,
        "num_actions": config.model.num_actions if config.method == "rnn_dqn" else None,
        "mathieu_patch_size": config.mathieu.patch_size if config.method == "mathieu" else None,
        "seeds": result["seeds"], "test_sequences": entry["counts"]["num_clips"],
        "code": code, "hardware": hardware,
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **training, "eval_seconds": entry["eval_seconds"], "metrics": metrics}
    if "weights" in entry:
        record["weights"] = entry["weights"]
    return validate(record, run.name)
