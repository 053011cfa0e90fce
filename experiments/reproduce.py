"""Reproduces one of the paper's Tables 1-5: trains what is missing, evaluates, writes the table.

    python -m experiments.reproduce --table=1 --scale=cpu --patterns=eight,rotate
    python -m experiments.reproduce --table=1 --scale=cpu --patterns=eight --rows=mathieu
    python -m experiments.reproduce --table=2 --scale=cpu \
        --real_data_dir=workdirs/tfds --real_manual_dir=../shared/data/real_clips
    python -m experiments.reproduce --table=2 --scale=cpu \
        --real_data_dir=workdirs/tfds83 --real_manual_dir=../shared/data/real_cinemagraphs

The last writes table2_cpu_real_cinemagraphs.md/.json, apart from the 15-clip table. Give
each real data set its own --real_data_dir: data already prepared there is used as it
is (the table records its clips and sources per split, so a mix-up shows).

Writes experiments/results/table<N>_<scale>.md and .json (table<N>_<scale>_<tag> for real
data other than real_clips: a new data set is a new table; --data_tag, by default the
--real_manual_dir folder's name), merged with the runs an earlier
invocation wrote there (e.g. --patterns=eight now, --patterns=rotate later; or one row at a
time, --rows=mathieu), unless --fresh; a file of another budget is refused. Runs live in
WORKDIR_ROOT/<scale>/<run>; a run shared by several tables is trained once, a finished run
is never retrained, an interrupted one resumes. See experiments/tables.py for the tables
and scales, experiments/reproduce_lib.py for what is run. A mistake is one line on stderr
(`--verbose` shows the traceback).
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # the tables' configs import TensorFlow

from absl import flags  # noqa: E402

from experiments import reproduce_lib  # noqa: E402
from experiments import tables  # noqa: E402

_TABLE = flags.DEFINE_integer("table", None, "Which table of the paper: 1-5.")
_SCALE = flags.DEFINE_enum("scale", "cpu", sorted(tables.SCALES),
                           "Budget: the paper's settings, a 2-core CPU budget, or a smoke test.")
_PATTERNS = flags.DEFINE_list("patterns", list(tables.PATTERNS),
                              "Synthetic patterns to fill (others show the paper's only).")
_CATEGORIES = flags.DEFINE_list("categories", list(tables.CATEGORIES),
                                "Real categories to fill (tables with real columns: 2, 3, 5); "
                                "empty for none.")
_ROWS = flags.DEFINE_list("rows", None, "Rows to fill, by key (Table 1: mathieu,rnn,rnn_dqn; "
                         "Table 5: original,small_z,large_z,small_q,large_q; see "
                         "experiments/tables.py); default all.")
_WORKDIR_ROOT = flags.DEFINE_string("workdir_root", "workdirs/experiments",
                                    "Runs go to WORKDIR_ROOT/<scale>/<run name>.")
_RESULTS_DIR = flags.DEFINE_string("results_dir", "experiments/results",
                                   "Where table<N>_<scale>.md/.json are written.")
_REAL_DATA_DIR = flags.DEFINE_string("real_data_dir", None, "TFDS data_dir holding the "
                                     "prepared real_cinemagraphs data (default: TFDS's).")
_REAL_MANUAL_DIR = flags.DEFINE_string("real_manual_dir", None, "Build real_cinemagraphs "
                                       "configs not yet prepared from this manual_dir.")
_REAL_DATA_NOTE = flags.DEFINE_string("real_data_note", None, "A sentence on what the real "
                                      "data is, printed in the result file.")
_DATA_TAG = flags.DEFINE_string("data_tag", None, "Name of the real data, suffixed to the "
                                "table file (table<N>_<scale>_<tag>) and to its real runs' "
                                "workdirs; default: --real_manual_dir's folder name, none for "
                                "real_clips (the data of the first tables).")
_FRESH = flags.DEFINE_bool("fresh", False, "Overwrite the table file with this invocation's "
                           "runs instead of keeping the other runs it holds.")
flags.mark_flag_as_required("table")


def _main(argv):
    del argv
    paths = reproduce_lib.reproduce(
        _TABLE.value, _SCALE.value, patterns=[p for p in _PATTERNS.value if p],
        categories=[c for c in _CATEGORIES.value if c], workdir_root=_WORKDIR_ROOT.value,
        results_dir=_RESULTS_DIR.value, real_data_dir=_REAL_DATA_DIR.value,
        real_manual_dir=_REAL_MANUAL_DIR.value, real_data_note=_REAL_DATA_NOTE.value,
        fresh=_FRESH.value, rows=_ROWS.value, data_tag=_DATA_TAG.value)
    print("\n".join(paths))


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
