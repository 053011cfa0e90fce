"""The ablation of our layered generator (not in the paper): each ingredient on/off.

Every variant trains the pattern's layered config (experiments/configs/layered.py) at the
quickstart's budget (experiments/configs/quickstart.py) in its own workdir,
`<workdir_root>/<pattern>-<variant>` (a rerun resumes it), and is scored by the evaluator
of Tables 1-4 on `num_sequences` test sequences: PSNR, SSIM, centre distance (Table 4),
no-match rate, parameters and training minutes. "no_sharp" is the quickstart model's
checkpoint scored with the whole displacement distribution instead of its likeliest value
(an inference-time ingredient, nothing to train); "constant" (the input copied) is the
reference every variant must beat.
Results merge into `<results_dir>/ablation_layered.json` (one cell per pattern and
variant, each with the invocation that made it) and are rendered to the .md beside it.
"""
import json
import os
import time

import ml_collections

from cinegen_tf.data import pipeline
from cinegen_tf.evaluation import eval_lib
from cinegen_tf.training import checkpoints, methods, train_lib
from experiments import records as provenance
from experiments.configs import layered, quickstart

# variant -> (label, overrides of `variant_config`'s base, or None for an evaluation only).
VARIANTS = {
    "quickstart": ("Full (moving layer, DQN, clock, CoordConv, motion weight, sharp)", {}),
    "plus_refine": ("+ ConvLSTM composite", {"model.refine": True}),
    "composite_only": ("ConvLSTM composite instead of the moving layer",
                       {"model.moving_layer": False, "model.refine": True}),
    "no_clock": ("- clock (the LSTM counts frames itself)", {"model.clock": False}),
    "no_coords": ("- coordinate channels", {"model.coords": False}),
    "no_dqn": ("- DQN (no Q-network, num_actions 0)", {"model.num_actions": 0}),
    "no_motion_weight": ("- motion-weighted MSE (plain MSE)", {"train.motion_weight": 0.0}),
    "no_sharp": ("- sharp inference (soft displacements)", None),
    "constant": ("Constant baseline (copy the input)", None),
}
PATTERNS = ("eight", "rotate")
RESULTS_NAME = "ablation_layered"


def variant_config(pattern, variant):
    """The layered config of `pattern` at the quickstart's budget, the variant's
    ingredient switched (on eight, "quickstart" is the README's main job)."""
    config = quickstart.with_budget(layered.get_config(pattern))
    for key, value in (VARIANTS[variant][1] or {}).items():
        section, name = key.split(".")
        config[section][name] = value
    return config


def _score(generator, config, num_sequences, seed=0):
    data = ml_collections.ConfigDict(config.data.to_dict())
    data.num_test_sequences = int(num_sequences)
    dataset = pipeline.make_dataset(data, "test", batch_size=32, seed=seed, training=False)
    entry = eval_lib.evaluate_generator(eval_lib.make_generate(generator, config), dataset,
                                        max_sequences=num_sequences)
    distance = entry["centre_distance"]
    return {**{k: entry["metrics"][k] for k in ("psnr", "ssim")},
            "centre_distance": distance["mean_distance"],
            "no_match_rate": distance["no_match_rate"]}


def run_cell(pattern, variant, workdir_root, num_sequences):
    """Trains (or resumes) and scores one cell: dict of its numbers and budget."""
    if variant == "constant":
        config = variant_config(pattern, "quickstart")
        config.method = "constant"
        return {**_score(methods.build_generator(config), config, num_sequences),
                "parameters": 0, "train_minutes": 0.0}
    trained = "quickstart" if variant == "no_sharp" else variant
    workdir = os.path.join(workdir_root, f"{pattern}-{trained}")
    config = variant_config(pattern, trained)
    train_lib.run(config, workdir)
    generator, config = checkpoints.load_generator(workdir)
    if variant == "no_sharp":
        generator.sharp = False
    step = config.train.num_steps
    seconds = (checkpoints.train_time(workdir, step) or {}).get("seconds")
    return {**_score(generator, config, num_sequences),
            "parameters": int(generator.count_params()),
            "train_minutes": None if seconds is None else round(seconds / 60, 1),
            "steps": int(step), "batch_size": int(config.train.batch_size),
            "precision": "bfloat16" if config.train.mixed_precision else "float32"}


def run(patterns, variants, workdir_root, results_dir, num_sequences=256):
    """Fills the chosen cells, merging them into the results file; returns its data."""
    for pattern in patterns:
        if pattern not in PATTERNS:
            raise ValueError(f"pattern {pattern!r}: the ablation covers {PATTERNS}")
    for variant in variants:
        if variant not in VARIANTS:
            raise ValueError(f"variant {variant!r}: known {sorted(VARIANTS)}")
    path = os.path.join(results_dir, RESULTS_NAME + ".json")
    data = {"cells": {}, "invocations": []}
    if os.path.isfile(path):
        with open(path) as f:
            data = json.load(f)
    code, start = provenance.code_version(), time.perf_counter()
    invocation = len(data["invocations"])
    for pattern in patterns:
        for variant in variants:
            cell = run_cell(pattern, variant, workdir_root, num_sequences)
            data["cells"][f"{pattern}/{variant}"] = {**cell, "invocation": invocation,
                                                     "num_sequences": num_sequences}
    data["invocations"].append({  # this invocation: when, the code it imported, where
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "code": code,
        "wall_seconds": round(time.perf_counter() - start, 1),
        "hardware": provenance.hardware()})
    os.makedirs(results_dir, exist_ok=True)
    checkpoints.write_atomically(path, json.dumps(data, indent=1, sort_keys=True) + "\n")
    checkpoints.write_atomically(os.path.join(results_dir, RESULTS_NAME + ".md"), render(data))
    return data


def _fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def render(data):
    """The Markdown ablation table, one section per pattern."""
    lines = ["# Ablation of our layered generator (not in the paper)", "",
             "Written by `python -m experiments.ablation`; never edited by hand. Each "
             "variant switches one ingredient of the pattern's "
             "`experiments/configs/layered.py` config (on eight: the README's quickstart) "
             "and trains at the quickstart's budget (seed 0) on synthetic data 2.0.0, "
             "where the best any deterministic generator can do is 0 px "
             "(`python -m experiments.centre_floor`); scored on the synthetic test "
             "sequences by the Tables 1-4 evaluator (centre distance: Table 4's, over "
             "matched frames). Training minutes are as measured: the invocations below "
             "give each one's CPU and load.",
             ""]
    for pattern in PATTERNS:
        cells = {k.split("/")[1]: v for k, v in data["cells"].items()
                 if k.startswith(pattern + "/")}
        if not cells:
            continue
        lines += [f"## {pattern}", "",
                  "| variant | PSNR | SSIM | centre distance (px) | no match | parameters "
                  "| training (min) | steps x batch, precision | run |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for variant, (label, _) in VARIANTS.items():
            c = cells.get(variant)
            if c is None:
                lines.append(f"| {label} | not run | | | | | | | |")
                continue
            budget = (f"{c['steps']} x {c['batch_size']}, {c['precision']}" if "steps" in c
                      else "-")
            lines.append(
                f"| {label} | {_fmt(c['psnr'], '.2f')} | {_fmt(c['ssim'], '.4f')} | "
                f"{_fmt(c['centre_distance'], '.2f')} | {_fmt(c['no_match_rate'], '.1%')} | "
                f"{c['parameters']:,} | {_fmt(c['train_minutes'], '.1f')} | {budget} | "
                f"{c['invocation']} |")
        lines.append("")
    lines += ["## Invocations", ""]
    for k, inv in enumerate(data["invocations"]):
        hw = inv["hardware"]
        lines.append(f"{k}. {inv['finished_utc']}, code {inv['code']}, "
                     f"{inv['wall_seconds'] / 60:.1f} min wall; {hw['cpu']} "
                     f"({', '.join(hw['cpu_flags']) or 'no speed flags'}), "
                     f"{hw['usable_cores']} cores, TF {hw['tensorflow']}; load "
                     f"{', '.join(f'{v:.1f}' for v in hw['load_average_1_5_15_min'])}")
    return "\n".join(lines) + "\n"
