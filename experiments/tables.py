"""The paper's Tables 1-5 as data: which runs fill which cells, and the budgets ("scales").

A table is rows (a method, maybe with another |z| or |Q|) times columns (synthetic patterns
and/or real categories, maybe their averages), scored by metrics of a run's record
(experiments/records.py). A `Run` is one training (constant baseline, motion model: one
evaluation) named by what it trains, so a run shared by tables is trained once. Scales:
"paper" keeps the paper's settings, "cpu" is a 2-core CPU budget (costs: WORKSPACE.md).
"""
import dataclasses
import importlib
from typing import Optional

from cinegen_tf.training import precision
from experiments.configs import quickstart
from experiments.configs import real as real_configs
from experiments.configs import synthetic as synthetic_configs

PATTERNS = synthetic_configs.PATTERNS  # i, o, l, eight, rotate, scale
CATEGORIES = real_configs.CATEGORIES  # water_flowing, fire
PATTERN_LABELS = {"i": "I", "o": "O", "l": "L", "eight": "Eight", "rotate": "Rotate",
                  "scale": "Scale", "water_flowing": "Water flowing", "fire": "Fire"}
METRIC_LABELS = {"psnr": "PSNR", "ssim": "SSIM", "frame_diff_psnr": "PSNR",
                 "frame_diff_ssim": "SSIM", "centre_distance": "distance (px)"}


@dataclasses.dataclass(frozen=True)
class Run:
    """One training run: `data` "synthetic" (subset = pattern) or "real" (subset = category)."""
    data: str
    subset: str
    method: str
    z_dim: Optional[int] = None  # None: the config's default (64 synthetic, 512 real)
    num_actions: Optional[int] = None

    @property
    def name(self):  # e.g. "synthetic-eight-rnn_dqn-z4", "real-fire-rnn_dqn-q2048"
        return "-".join([self.data, self.subset, self.method] + [
            f"{c}{v}" for c, v in (("z", self.z_dim), ("q", self.num_actions)) if v is not None])


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


# Rows of ours after the paper's, without paper numbers, run only when named by key and
# shown once they have records: our generator (experiments/configs/layered.py), trained at
# the table's budget (on synthetic data: its wall time, Scale.ours_num_steps), and our
# real-photo motion model (cinegen_tf/motion), its bundled weights scored on the real test
# clips: no steps, batch or precision of its own.
OURS = Row("layered", "Ours: layered (not in the paper)", "layered")
MOTION = Row("motion", "Ours: motion model (not in the paper)", "motion", only_data=("real",))
UNTRAINED = ("constant", MOTION.method)  # methods a table only evaluates


@dataclasses.dataclass(frozen=True)
class Table:
    """One paper table."""
    number: int  # 1-5
    title: str  # what it measures (the paper's caption, shortened)
    rows: tuple  # Rows, in the paper's order
    data: tuple  # the kinds of data it has columns for: "synthetic" and/or "real"
    metrics: tuple  # record metrics per cell: psnr, ssim; frame_diff_*; centre_distance
    per_subset: bool = True  # one column per pattern/category (else only the averages)
    averages: bool = False  # an "Average" column per kind of data (Tables 3 and 5)
    ours: tuple = (OURS,)  # Rows not in the paper, run only when named by key

    def subsets(self, data, patterns=PATTERNS, categories=CATEGORIES):
        return tuple(patterns) if data == "synthetic" else tuple(categories)

    def runs(self, patterns, categories, rows=None):
        """The runs needed for the chosen patterns/categories (and row keys), in table order:
        the paper's rows by default, any rows (ours too) by key."""
        chosen = self.rows if rows is None else [r for r in self.rows + self.ours
                                                   if r.key in rows]
        return tuple(row.run(data, subset) for row in chosen for data in self.data
                     if row.only_data is None or data in row.only_data
                     for subset in self.subsets(data, patterns, categories))


_THREE_METHODS = (Row("mathieu", "Mathieu et al. [17]", "mathieu"),
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
             ("synthetic",), ("centre_distance",)),
    5: Table(5, "Average PSNR / SSIM of RNN+DQN with |z| and |Q| in {4, default, 2048} "
                "(Sec. 5.6)",
             (Row("original", "Original", "rnn_dqn"),
              Row("small_z", "Small z (4)", "rnn_dqn", z_dim=4),
              Row("large_z", "Large z (2048)", "rnn_dqn", z_dim=2048),
              Row("small_q", "Small Q-vec (4)", "rnn_dqn", num_actions=4),
              Row("large_q", "Large Q-vec (2048)", "rnn_dqn", num_actions=2048)),
             ("synthetic", "real"), ("psnr", "ssim"), per_subset=False, averages=True),
}


@dataclasses.dataclass(frozen=True)
class Scale:
    """A training/evaluation budget applied to every run of a table."""
    name: str  # "paper", "cpu" or "smoke"
    description: str  # one line for the tables
    num_steps: Optional[int] = None  # None: the paper's, 6K synthetic / 13.5K real
    batch_size: Optional[int] = None  # None: the paper's 64
    mixed_precision: Optional[bool] = False  # None: bfloat16 where native, else float32
    mathieu_patch_size: int = 0  # Mathieu et al.'s training patches (0: whole frames)
    num_test_sequences: int = 5000  # synthetic test sequences scored
    real_num_test: Optional[int] = None  # real test clips scored (None: the whole split)
    eval_batch_size: int = 32
    train_overrides: tuple = ()  # any other config.train values
    # Our layered generator's synthetic runs (not in the paper), if not num_steps: the
    # quickstart's budget (experiments/configs/quickstart.py) at this many steps.
    ours_num_steps: Optional[int] = None


SCALES = {
    "paper": Scale("paper", "the paper's settings (Sec. 5.1-5.3): 6K iterations synthetic, "
                   "13.5K real, batch 64, float32, 5K synthetic test sequences per pattern"),
    "cpu": Scale("cpu", "a 2-core CPU budget: 240 iterations of batch 16 (ours on synthetic "
                 "data: 1500, about the same wall time), bfloat16 mixed precision where the "
                 "CPU has it natively, else float32; Mathieu et al. on 32x32 patches, 256 "
                 "synthetic test sequences",
                 num_steps=240, batch_size=16, mixed_precision=None, mathieu_patch_size=32,
                 num_test_sequences=256, eval_batch_size=32,
                 train_overrides=(("steps_per_loop", 20), ("checkpoint_every", 40),
                                  ("eval_every", 240), ("eval_batch_size", 16)),
                 # Equal wall time: a layered step costs a sixth of an RNN step or less
                 # (pinned, AVX2, float32: 5.3-7.3 s against 37-45; WORKSPACE.md), so
                 # 1500 steps take no longer than the paper's rows at 240.
                 ours_num_steps=1500),
    "smoke": Scale("smoke", "a smoke test: 2 iterations of batch 2, 4 test sequences",
                   num_steps=2, batch_size=2, mixed_precision=False, mathieu_patch_size=32,
                   num_test_sequences=4, real_num_test=4, eval_batch_size=2,
                   train_overrides=(("steps_per_loop", 1), ("checkpoint_every", 1),
                                    ("eval_every", 2), ("eval_batch_size", 2),
                                    ("num_gif_samples", 1))),
}


def config_file(run):
    """The config file and argument `run` starts from, e.g. "experiments/configs/real.py:fire,rnn"
    (the motion model: the constant baseline's real config, for the test data it is scored on)."""
    if run.method == OURS.method:
        return f"experiments/configs/layered.py:{run.subset}"
    method = "constant" if run.method == MOTION.method else run.method
    return f"experiments/configs/{run.data}.py:{run.subset},{method}"


def base_config(run):
    """The ConfigDict of `config_file(run)`, before any scale."""
    name, arg = config_file(run).rsplit("/", 1)[1].split(".py:")
    return importlib.import_module(f"experiments.configs.{name}").get_config(arg)


def run_config(run, scale, real_data_dir=None):
    """The training ConfigDict of `run` at `scale` (experiments/configs + the scale's budget).

    A reduced budget keeps the paper's proportions: the DQN explores for the first third of
    training and syncs its target network as often per run; our generator's synthetic runs
    take the quickstart's budget at `scale.ours_num_steps`. `UNTRAINED` runs are scored in
    float32; the motion model has no budget at all (no steps, batch, z or Q)."""
    config = base_config(run)
    ours_steps = run.method == OURS.method and run.data == "synthetic" and scale.ours_num_steps
    if ours_steps:
        quickstart.with_budget(config)
    if config.data.name == "real":
        config.data.data_dir = None if real_data_dir is None else str(real_data_dir)
    paper_steps = config.train.num_steps
    config.train.num_steps = ours_steps or scale.num_steps or paper_steps
    config.train.batch_size = scale.batch_size or config.train.batch_size
    config.train.mixed_precision = (precision.native_bfloat16() if scale.mixed_precision is None
                                    else scale.mixed_precision) and run.method not in UNTRAINED
    config.train.update(dict(scale.train_overrides))
    if config.train.num_steps != paper_steps:
        fraction = config.train.num_steps / paper_steps
        config.dqn.epsilon_decay_steps = max(1, round(config.train.num_steps / 3))
        config.dqn.target_sync_every = max(1, round(config.dqn.target_sync_every * fraction))
    config.mathieu.patch_size = scale.mathieu_patch_size
    config.model.update({k: getattr(run, k) for k in ("z_dim", "num_actions")
                         if getattr(run, k) is not None})
    if run.method == MOTION.method:  # NumPy inference of the bundled weights
        config.method = MOTION.method
        config.train.update(num_steps=0, batch_size=None)
        config.model.update(z_dim=None, num_actions=None)
    return config
