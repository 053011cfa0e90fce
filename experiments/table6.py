"""Table 6 (Sec. 5.7) from a human study's database, with the paper's numbers beside ours.

    python -m experiments.table6 --study_dir=studies/real [--results_dir=experiments/results]

Writes experiments/results/table6_<study name>.md and .json (experiments/table6_lib.py):
per method and category, how often its cinemagraph was preferred and how often it was
taken for real, with counts, 95% Wilson intervals, the paper's percentages, and the
participants counted and excluded. The study itself: `python -m cinegen_tf.study`.
"""
from absl import app
from absl import flags

from cinegen_tf import cli
from experiments import table6_lib

_STUDY_DIR = flags.DEFINE_string("study_dir", None, "The study's folder (cinegen_tf.study).")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results",
                                   "Where table6_<study name>.md/.json are written.")
flags.mark_flag_as_required("study_dir")


def _main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    cli.quiet_tensorflow()  # provenance (the code's commit, hardware) imports it
    print("\n".join(table6_lib.write(_STUDY_DIR.value, _RESULTS_DIR.value)))


def main():
    app.run(_main)


if __name__ == "__main__":
    main()
