"""Ablation of our layered generator (not in the paper): each ingredient on/off.

    python -m experiments.ablation --patterns=eight,rotate
    python -m experiments.ablation --patterns=eight --variants=full,no_refine   # a few cells

Writes experiments/results/ablation_layered.{json,md}; see experiments/ablation_lib.py.
A mistake (an unknown pattern or variant) is one line on stderr (`--verbose`: traceback).
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # the quickstart config imports TensorFlow

from absl import flags  # noqa: E402

from experiments import ablation_lib  # noqa: E402

_PATTERNS = flags.DEFINE_list("patterns", list(ablation_lib.PATTERNS), "Synthetic patterns.")
_VARIANTS = flags.DEFINE_list("variants", list(ablation_lib.VARIANTS), "Variants to run.")
_WORKDIR_ROOT = flags.DEFINE_string("workdir_root", "workdirs/ablation",
                                    "Where each variant's training workdir goes.")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results",
                                   "Where ablation_layered.{json,md} go.")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", 256, "Test sequences per cell.")


def _main(argv):
    del argv
    ablation_lib.run(_PATTERNS.value, _VARIANTS.value, _WORKDIR_ROOT.value,
                     _RESULTS_DIR.value, _NUM_SEQUENCES.value)


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
