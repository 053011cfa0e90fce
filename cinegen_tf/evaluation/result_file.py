"""DIR/result.json: what an evaluation scored, under which settings, one entry per step.

    {"format": 1, "method", "seeds": {"train", "data"}, "model", "train": {"num_steps",
     "batch_size", "mixed_precision"}, "settings": {...}, "latest_step",
     "steps": {"<step>": {"metrics", "per_step", "counts", "centre_distance", "step",
                          "checkpoint", "eval_seconds"}}}

`settings` names everything the numbers depend on besides the weights; entries of
earlier steps are kept only while it is unchanged. The table runner adds the run's
"record" (experiments/records.py), which `record` drops when it scores anew. Written
atomically (a reader never sees half a file); NaN and inf are written as null (strict
JSON has neither).
"""
import json
import os

import numpy as np

from cinegen_tf.evaluation import centre_distance, metrics
from cinegen_tf.training import checkpoints

RESULT_FILE = "result.json"
FORMAT_VERSION = 1
POLICY = "greedy: DQN epsilon 0 and temperature 0; baselines roll out their own outputs"


def settings(config, split, num_sequences, batch_size, data_seed, include_padding):
    """What the numbers of one result.json depend on besides the weights (a JSON dict)."""
    data = config.data.to_dict()
    return {"split": split, "data": data, "data_seed": int(data_seed),
            "num_sequences_requested": None if num_sequences is None else int(num_sequences),
            "batch_size": int(batch_size), "padding_frames_scored": bool(include_padding),
            "generated_frames": "length - 1 frames from frame 0 (T - 1 generated, frames at "
                                "or after length not scored unless padding_frames_scored)",
            "policy": POLICY, "psnr_mse_floor": metrics.DEFAULT_PSNR_MSE_FLOOR,
            "ssim_on_luminance": False,
            "max_match_mse": centre_distance.DEFAULT_MAX_MATCH_MSE}


def jsonable(value):
    """numpy / NaN -> JSON (NaN and inf become null: strict JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in np.asarray(value, dtype=object).tolist()]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    return value


def read_result(directory):
    """The parsed DIR/result.json, or None if there is none."""
    path = os.path.join(directory, RESULT_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON: {e}") from e


def scored_steps(result, eval_settings):
    """{"<step>": entry} of a parsed result.json scored with `eval_settings` ({} if it was
    scored with others, or `result` is None)."""
    if result is None or result.get("settings") != jsonable(eval_settings):
        return {}
    return dict(result.get("steps", {}))


def record(out_dir, config, eval_settings, step, entry):
    """Adds `entry` for `step` to out_dir/result.json (atomically); returns the whole result."""
    steps = scored_steps(read_result(out_dir), eval_settings)
    steps[str(step)] = entry
    result = {"format": FORMAT_VERSION, "method": config.method,
              "seeds": {"train": int(config.seed), "data": eval_settings["data_seed"]},
              "model": config.model.to_dict(),
              "train": {k: config.train[k] for k in ("num_steps", "batch_size",
                                                      "mixed_precision")},
              "settings": jsonable(eval_settings),
              "latest_step": max(int(s) for s in steps),
              "steps": dict(sorted(steps.items(), key=lambda kv: int(kv[0])))}
    checkpoints.write_atomically(os.path.join(out_dir, RESULT_FILE),
                                 json.dumps(result, indent=1, sort_keys=False) + "\n")
    return result
