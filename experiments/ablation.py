"""Ablation of our layered generator (not in the paper): each ingredient on/off.

    python -m experiments.ablation --patterns=eight,rotate
    python -m experiments.ablation --patterns=eight --variants=full,no_refine   # a few cells

Writes experiments/results/ablation_layered.{json,md}; see experiments/ablation_lib.py.
"""
from absl import app
from absl import flags

from experiments import ablation_lib

_PATTERNS = flags.DEFINE_list("patterns", list(ablation_lib.PATTERNS), "Synthetic patterns.")
_VARIANTS = flags.DEFINE_list("variants", list(ablation_lib.VARIANTS), "Variants to run.")
_WORKDIR_ROOT = flags.DEFINE_string("workdir_root", "workdirs/ablation",
                                    "Where each variant's training workdir goes.")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results",
                                   "Where ablation_layered.{json,md} go.")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", 256, "Test sequences per cell.")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    ablation_lib.run(_PATTERNS.value, _VARIANTS.value, _WORKDIR_ROOT.value,
                     _RESULTS_DIR.value, _NUM_SEQUENCES.value)


if __name__ == "__main__":
    app.run(main)
