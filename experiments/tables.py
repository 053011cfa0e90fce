"""The paper's Tables 1-5 as data: which runs fill which cells, and the budgets ("scales").

A table is rows (a method, possibly with another |z| or |Q|) times columns (synthetic
patterns and/or real categories, possibly their averages), scored by one or two metrics
of eval_lib's result.json. A `Run` is one training (or, for the constant baseline, one
evaluation); runs are named by what they train, so a run shared by several tables (e.g.
RNN+DQN on "eight": Tables 1, 3, 4, 5) lives in one workdir and is trained once.

Scales (`SCALES`): "paper" keeps the paper's settings (experiments/configs); "cpu" is a
budget a 2-core CPU with AMX affords run by run (measured below); "smoke" is a few steps for
tests.

Measured cost at "cpu" (2 AMX cores, TF 2.21; the result files list every run's time): an
RNN run trains in 9-12 min, RNN+DQN 14-16 min (table4_cpu.md), Mathieu et al. 20 min on
32x32 patches plus 31 min to score 256 synthetic test sequences at 64x64 (float32, 74
GFLOP a frame; the rotate run of table1_cpu.md at b8c57fa); a real-data run trains in
2.4-3.5 min (6-frame clips, table2_cpu.md). Eight + rotate thus cost ~2.5 h
for Table 1 and ~2.5 h more for Table 5's eight runs of other |z| / |Q|: fill a table
over several invocations (--patterns=eight, then rotate) when one session is shorter.
The cpu scale trains in bfloat16 only where the hardware has it natively
(cinegen_tf/training/precision.py; ~10x slower than float32 elsewhere) and in float32
otherwise, and a table begun in float32 goes on in float32 on any hardware; each run's
record states which, and runs of different precision are not merged into one table
(experiments/table_file.py). On a 2-core AVX2-only CPU in float32 a real-data
RNN+DQN run trained in 18-24 min (table5_cpu.md), ~7x its AMX time, and Mathieu et al.'s
in-training evaluation of 16 sequences took 2.5 min; runs resume from their last checkpoint
(every 40 steps), so a table is filled over several sessions by re-invoking its command.
"""
import dataclasses
from typing import Optional

from cinegen_tf.training import precision
from experiments.configs import layered as layered_configs
from experiments.configs import real as real_configs
from experiments.configs import synthetic as synthetic_configs

PATTERNS = synthetic_configs.PATTERNS  # i, o, l, eight, rotate, scale
CATEGORIES = real_configs.CATEGORIES  # water_flowing, fire
PATTERN_LABELS = {"i": "I", "o": "O", "l": "L", "eight": "Eight", "rotate": "Rotate",
                  "scale": "Scale", "water_flowing": "Water flowing", "fire": "Fire"}
METHOD_LABELS = {"mathieu": "Mathieu et al. [17]", "rnn": "RNN", "rnn_dqn": "RNN+DQN",
                 "constant": "Constant", "layered": "Ours: layered (not in the paper)",
                 "motion": "Ours: motion model (not in the paper)"}
METRIC_LABELS = {"psnr": "PSNR", "ssim": "SSIM", "frame_diff_psnr": "PSNR",
                 "frame_diff_ssim": "SSIM", "centre_distance": "distance (px)"}
SMALL, LARGE = 4, 2048  # Sec. 5.6


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run: `data` "synthetic" (subset = pattern) or "real" (subset = category)."""
    data: str
    subset: str
    method: str
    z_dim: Optional[int] = None  # None: the config's default (64 synthetic, 512 real)
    num_actions: Optional[int] = None

    @property
    def name(self):
        name = f"{self.data}-{self.subset}-{self.method}"
        if self.z_dim is not None:
            name += f"-z{self.z_dim}"
        if self.num_actions is not None:
            name += f"-q{self.num_actions}"
        return name


@dataclasses.dataclass(frozen=True)
class Row:
    """A table row: `key` (paper_numbers key), `label`, and what distinguishes its runs."""
    key: str
    label: str
    method: str
    z_dim: Optional[int] = None
    num_actions: Optional[int] = None
    only_data: Optional[tuple] = None  # the kinds of data it has runs on (None: all)

    def run(self, data, subset):
        return Run(data, subset, self.method, self.z_dim, self.num_actions)


# Our generator (experiments/configs/layered.py): a row below the paper's, without paper
# numbers, trained at the table's budget like them; run only when asked for by key
# (--rows=layered) and shown only once it has runs, so the paper's tables stay as they are.
OURS = Row("layered", METHOD_LABELS["layered"], "layered")
# Our real-photo motion model (cinegen_tf/motion): the bundled weights as they ship, scored
# on the real test clips (Tables 2 and 3, --rows=motion): nothing is trained at the table's
# budget, so its runs have no steps, batch or precision of their own.
MOTION = Row("motion", METHOD_LABELS["motion"], "motion", only_data=("real",))
# Methods a table only evaluates: the constant baseline and the bundled motion model.
UNTRAINED = ("constant", MOTION.method)


@dataclasses.dataclass(frozen=True)
class Table:
    """One paper table.

    Attributes:
      number: 1-5.
      title: what it measures (the paper's caption, shortened).
      rows: the Rows, in the paper's order.
      ours: Rows not in the paper (our generator), run only when named by key.
      data: the kinds of data it has columns for: ("synthetic",), ("real",) or both.
      metrics: result.json metrics shown per cell: ("psnr", "ssim"),
        ("frame_diff_psnr", "frame_diff_ssim") or ("centre_distance",).
      per_subset: one column per pattern/category (else only the averages).
      averages: an "Average" column per kind of data (Table 3 and 5).
      lower_is_better: smaller is better (the centre distance).
    """
    number: int
    title: str
    rows: tuple
    data: tuple
    metrics: tuple
    per_subset: bool = True
    averages: bool = False
    lower_is_better: bool = False
    ours: tuple = (OURS,)

    @property
    def all_rows(self):
        return self.rows + self.ours

    def subsets(self, data, patterns, categories):
        return tuple(patterns) if data == "synthetic" else tuple(categories)

    def runs(self, patterns, categories, rows=None):
        """The runs needed for the chosen patterns/categories (and row keys), in table order:
        the paper's rows by default, any rows (ours too) by key."""
        chosen = self.rows if rows is None else [r for r in self.all_rows if r.key in rows]
        return tuple(row.run(data, subset) for row in chosen for data in self.data
                     if row.only_data is None or data in row.only_data
                     for subset in self.subsets(data, patterns, categories))

    def shown(self, records):
        """This table with the rows to show for `records` ({Run: record}): the paper's, and
        ours where it has runs."""
        ran = [row for row in self.ours if any(row.run(run.data, run.subset) == run
                                               for run in records)]
        return dataclasses.replace(self, rows=self.rows + tuple(ran), ours=())


_THREE_METHODS = (Row("mathieu", METHOD_LABELS["mathieu"], "mathieu"),
                  Row("rnn", "RNN", "rnn"), Row("rnn_dqn", "RNN+DQN", "rnn_dqn"))

TABLES = {
    1: Table(1, "PSNR and SSIM of Mathieu et al., RNN and RNN+DQN on synthetic data (Sec. 5.2)",
             _THREE_METHODS, ("synthetic",), ("psnr", "ssim")),
    2: Table(2, "PSNR and SSIM on the real cinemagraph data (Sec. 5.3)", _THREE_METHODS,
             ("real",), ("psnr", "ssim"), ours=(OURS, MOTION)),
    3: Table(3, "PSNR/SSIM on frame-wise differences, constant baseline vs RNN+DQN (Sec. 5.4)",
             (Row("constant", "Constant", "constant"), Row("rnn_dqn", "RNN+DQN", "rnn_dqn")),
             ("synthetic", "real"), ("frame_diff_psnr", "frame_diff_ssim"), averages=True,
             ours=(OURS, MOTION)),
    4: Table(4, "Mean distance between ground-truth and generated foreground-object centres "
                "(Sec. 5.5; lower is better)",
             (Row("rnn", "RNN", "rnn"), Row("rnn_dqn", "RNN+DQN", "rnn_dqn")),
             ("synthetic",), ("centre_distance",), lower_is_better=True),
    5: Table(5, "Average PSNR / SSIM of RNN+DQN with |z| and |Q| in {4, default, 2048} "
                "(Sec. 5.6)",
             (Row("original", "Original", "rnn_dqn"),
              Row("small_z", "Small z (4)", "rnn_dqn", z_dim=SMALL),
              Row("large_z", "Large z (2048)", "rnn_dqn", z_dim=LARGE),
              Row("small_q", "Small Q-vec (4)", "rnn_dqn", num_actions=SMALL),
              Row("large_q", "Large Q-vec (2048)", "rnn_dqn", num_actions=LARGE)),
             ("synthetic", "real"), ("psnr", "ssim"), per_subset=False, averages=True),
}


@dataclasses.dataclass(frozen=True)
class Scale:
    """A training/evaluation budget applied to every run of a table.

    Attributes:
      name: "paper", "cpu" or "smoke".
      description: one line for the result file.
      num_steps: iterations (None: the paper's, 6K synthetic / 13.5K real).
      batch_size: training batch (None: the paper's 64).
      mixed_precision: Keras "mixed_bfloat16" training; None: where the hardware runs
        bfloat16 natively (precision.native_bfloat16()), float32 elsewhere.
      mathieu_patch_size: Mathieu et al.'s training patches (0: whole 64x64 frames).
      num_test_sequences: synthetic test sequences scored (the procedural test set).
      real_num_test: real test clips scored (None: the whole prepared test split).
      eval_batch_size: sequences per evaluation batch.
      train_overrides: any other config.train values.
    """
    name: str
    description: str
    num_steps: Optional[int] = None
    batch_size: Optional[int] = None
    mixed_precision: Optional[bool] = False
    mathieu_patch_size: int = 0
    num_test_sequences: int = 5000
    real_num_test: Optional[int] = None
    eval_batch_size: int = 32
    train_overrides: tuple = ()


SCALES = {
    "paper": Scale("paper", "the paper's settings (Sec. 5.1-5.3): 6K iterations synthetic, "
                   "13.5K real, batch 64, float32, 5K synthetic test sequences per pattern"),
    # Cost per run: see the module docstring (experiments/results/*_cpu.md list the times).
    "cpu": Scale("cpu", "a 2-core CPU budget: 240 iterations of batch 16 (bfloat16 mixed "
                 "precision where the CPU has it natively, float32 elsewhere and for tables "
                 "begun in float32), Mathieu et al. on 32x32 patches, 256 synthetic test "
                 "sequences",
                 num_steps=240, batch_size=16, mixed_precision=None, mathieu_patch_size=32,
                 num_test_sequences=256, eval_batch_size=32,
                 train_overrides=(("steps_per_loop", 20), ("checkpoint_every", 40),
                                  ("eval_every", 240), ("eval_batch_size", 16))),
    "smoke": Scale("smoke", "a smoke test: 2 iterations of batch 2, 4 test sequences",
                   num_steps=2, batch_size=2, mixed_precision=False, mathieu_patch_size=32,
                   num_test_sequences=4, real_num_test=4, eval_batch_size=2,
                   train_overrides=(("steps_per_loop", 1), ("checkpoint_every", 1),
                                    ("eval_every", 2), ("eval_batch_size", 2),
                                    ("num_gif_samples", 1))),
}


def run_config(run, scale, real_data_dir=None):
    """The training ConfigDict of `run` at `scale` (experiments/configs + the scale's budget).

    Reduced budgets keep the paper's proportions where the paper leaves a schedule open:
    the DQN explores for the first third of training (as experiments/configs/real.py)
    and its target network is synced as many times per run as at full length.
    """
    if scale.name not in SCALES:
        raise ValueError(f"unknown scale {scale.name!r}; known: {sorted(SCALES)}")
    if run.method == MOTION.method:
        return _motion_config(run, scale, real_data_dir)
    if run.method == OURS.method:
        config = layered_configs.get_config(run.subset)
        if run.data == "real":
            config.data.data_dir = None if real_data_dir is None else str(real_data_dir)
    elif run.data == "synthetic":
        config = synthetic_configs.get_config(f"{run.subset},{run.method}")
    elif run.data == "real":
        config = real_configs.get_config(f"{run.subset},{run.method}")
        config.data.data_dir = None if real_data_dir is None else str(real_data_dir)
    else:
        raise ValueError(f"run {run.name}: data must be 'synthetic' or 'real', got {run.data!r}")
    paper_steps = config.train.num_steps
    if scale.num_steps is not None:
        config.train.num_steps = scale.num_steps
    if scale.batch_size is not None:
        config.train.batch_size = scale.batch_size
    config.train.mixed_precision = (precision.native_bfloat16() if scale.mixed_precision is None
                                    else scale.mixed_precision)
    for key, value in scale.train_overrides:
        config.train[key] = value
    if config.train.num_steps != paper_steps:
        fraction = config.train.num_steps / paper_steps
        config.dqn.epsilon_decay_steps = max(1, round(config.train.num_steps / 3))
        config.dqn.target_sync_every = max(1, round(config.dqn.target_sync_every * fraction))
    config.mathieu.patch_size = scale.mathieu_patch_size
    if run.z_dim is not None:
        config.model.z_dim = run.z_dim
    if run.num_actions is not None:
        config.model.num_actions = run.num_actions
    return config


def _motion_config(run, scale, real_data_dir=None):
    """The config of a run of the bundled motion model: the real test data it is scored on
    (the constant baseline's), method "motion", and no budget of its own (no batch, z or
    precision: nothing is trained)."""
    if run.data != "real":
        raise ValueError(f"run {run.name}: the motion model is scored on real data only")
    config = real_configs.get_config(f"{run.subset},constant")
    config.method = MOTION.method
    config.data.data_dir = None if real_data_dir is None else str(real_data_dir)
    config.train.num_steps = 0
    config.train.batch_size = None
    config.train.mixed_precision = False  # NumPy float32 inference
    config.model.z_dim = None
    config.model.num_actions = None
    config.mathieu.patch_size = scale.mathieu_patch_size
    return config
