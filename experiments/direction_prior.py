"""How far one direction everywhere goes on issue 32's direction measure (ours).

    python -m experiments.direction_prior   # -> experiments/results/direction_prior.md

Not in the paper. The direction score of `python -m experiments.real_motion` is the mean
cosine between a cinemagraph's and the real clip's time-averaged optical flow where the
real flow exceeds 0.15 px/frame. A method that moves exactly the real moving pixels, all
in one direction d, scores the mean of cos(real flow, d) there. This command gives that
score per water source of both splits for d = the train split's mean direction (the
best a photo-blind prior learnt from the training clips can do) and, for reference, for
d = straight down (gravity). Each clip's first second at 160 px wide, as real_motion.
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # write_atomically lives beside the checkpoints, with TensorFlow

import os  # noqa: E402

import numpy as np  # noqa: E402
from absl import flags  # noqa: E402

from cinegen_tf.evaluation import motion_scores  # noqa: E402
from cinegen_tf.motion import prepared  # noqa: E402
from cinegen_tf.training.checkpoints import write_atomically  # noqa: E402
from experiments import real_motion_lib as lib  # noqa: E402

_MANUAL_DIR = flags.DEFINE_string("manual_dir", "../shared/data/real_cinemagraphs",
                                  "Real cinemagraphs (water/, fire/).")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results", "Output folder.")
DOWN = np.array([1.0, 0.0])  # (row, column): skimage's flow order


def unit_flows(source):
    """(2, N) unit vectors of the clip's time-averaged flow where it moves enough."""
    flow = motion_scores.mean_flow(lib.load_clip(source).real)
    magnitude = np.linalg.norm(flow, axis=0)
    where = magnitude > motion_scores.FLOW_MIN
    return flow[:, where] / magnitude[where]


def _main(argv):
    del argv
    per_split = {}
    for split in ("train", "test"):
        sources = [s for s in prepared.find(_MANUAL_DIR.value, split)
                   if s.category == "water_flowing"]
        if not sources:
            raise cli.UserError(f"--manual_dir={_MANUAL_DIR.value}: no {split}-split water")
        per_split[split] = [(s.name, unit_flows(s)) for s in sources]
    means = [u.mean(axis=1) for _, u in per_split["train"] if u.size]
    prior = np.mean(means, axis=0)
    prior /= np.linalg.norm(prior)
    lines = ["# One direction everywhere: the direction measure of issue 32", "",
             "Written by `python -m experiments.direction_prior`; never edited by hand. "
             "Ours, not in the paper. Score of a method that moves exactly the real moving "
             "pixels, all in one direction: the train split's mean direction "
             f"(row {prior[0]:+.2f}, column {prior[1]:+.2f}; down is +row), or straight down.",
             "", "| split | source | train mean direction | down |", "|---|---|---|---|"]
    medians = []
    for split, rows in per_split.items():
        scores = [(name, float(prior @ u.mean(axis=1)) if u.size else float("nan"),
                   float(DOWN @ u.mean(axis=1)) if u.size else float("nan"))
                  for name, u in rows]
        for name, a, b in scores:
            lines.append(f"| {split} | {name} | {a:+.2f} | {b:+.2f} |")
        medians.append(f"| {split} | **median of {len(scores)}** | "
                       f"**{np.nanmedian([s[1] for s in scores]):+.2f}** | "
                       f"**{np.nanmedian([s[2] for s in scores]):+.2f}** |")
    lines += medians + ["", "A source without flow above 0.15 px/frame scores n/a (nan).", ""]
    path = os.path.join(_RESULTS_DIR.value, "direction_prior.md")
    write_atomically(path, "\n".join(lines).encode())
    print("\n".join(medians))
    print(f"wrote {path}")


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
