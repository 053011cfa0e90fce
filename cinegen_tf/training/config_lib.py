"""The training config: the paper's settings (Sec. 5.1) and every choice it leaves open.

Config files in experiments/configs/ start from `base_config()` and change what their
experiment needs; `validate_config` checks a finished config before anything is built.
Keys (defaults in parentheses):

- `seed` (0): seeds the networks' initial weights, the data order and the DQN's exploration.
- `method` ("rnn_dqn"): "rnn" (Sec. 3.1), "rnn_dqn" (Sec. 3.2), "mathieu" (Mathieu et al.
  2016 baseline), "constant" (Sec. 5.4: no weights, nothing to train) or "layered" (ours,
  not in the paper; experiments/configs/layered.py adds its `model` keys `width`,
  `moving_layer`, `refine`, `coords`, `sharp`, and `num_actions` 0 turns its DQN off).
- `data`: passed as-is to `cinegen_tf.data.pipeline.make_dataset` (`name`, `pattern`,
  `category`, `source`, `data_dir`).
- `model`: `z_dim` (64; 512 real), `num_actions` (64; 512 real; unused by "rnn"),
  `image_size` (64).
- `train`: `batch_size` (64), `num_steps` (6000; 13500 real), `learning_rate` (2e-4),
  `beta_1` (0.5, not in the paper: the DCGAN value that goes with lr 2e-4), `beta_2`
  (0.999), `lambda_adv` (0.005; 0.05 real), `loss_on_padding` (False: the losses skip the
  black frames that pad short synthetic clips; the paper does not say), `steps_per_loop` (10
  compiled steps per tf.function call), `checkpoint_every` (500), `keep_checkpoints` (3),
  `eval_every` (500), `eval_batch_size` (16), `num_gif_samples` (4), `mixed_precision`
  (False: True selects Keras' "mixed_bfloat16" policy, fast only on hardware with native
  bfloat16: see precision.py), `jit_compile` (False: XLA was ~20x slower on CPU), `strategy`
  ("default": one device; "mirrored", "multi_worker" or "tpu": tf.distribute, batch_size is
  then the global batch, see training/distribute.py).
- `dqn` (RNN+DQN only; the paper gives Eq. 4 and nothing else): `learning_rate` (2e-4),
  `discount` sigma (0.9), `epsilon_start` (1.0), `epsilon_end` (0.05),
  `epsilon_decay_steps` (2000; linear annealing, then held), `target_sync_every` (100
  steps between copies of the DQN into the target network), `td_loss` ("huber" or "mse").
- `mathieu` (the baseline only): its own losses, optimizers and pair sampling, see
  cinegen_tf/training/mathieu_step.py:default_config (train.batch_size and num_steps
  still apply).
"""
import ml_collections

from cinegen_tf.training import mathieu_step

METHODS = ("rnn", "rnn_dqn", "mathieu", "constant", "layered")
TD_LOSSES = ("huber", "mse")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def base_config():
    """Returns the default ConfigDict: RNN+DQN on the synthetic "eight" pattern."""
    config = ml_collections.ConfigDict()
    config.seed = 0
    config.method = "rnn_dqn"

    config.data = ml_collections.ConfigDict()
    config.data.name = "synthetic"
    config.data.pattern = ml_collections.FieldReference("eight", field_type=str)
    config.data.category = ml_collections.FieldReference(None, field_type=str)
    # "procedural": sequences rendered on the fly (batch k is a function of (seed, k));
    # "tfds": prepared TFRecords in data_dir.
    config.data.source = "procedural"
    config.data.data_dir = ml_collections.FieldReference(None, field_type=str)

    config.model = ml_collections.ConfigDict()
    config.model.z_dim = 64
    config.model.num_actions = 64
    config.model.image_size = 64

    config.train = ml_collections.ConfigDict()
    config.train.batch_size = 64
    config.train.num_steps = 6000
    config.train.learning_rate = 2e-4
    config.train.beta_1 = 0.5
    config.train.beta_2 = 0.999
    config.train.lambda_adv = 0.005
    config.train.loss_on_padding = False
    config.train.steps_per_loop = 10
    config.train.checkpoint_every = 500
    config.train.keep_checkpoints = 3
    config.train.eval_every = 500
    config.train.eval_batch_size = 16
    config.train.num_gif_samples = 4
    config.train.mixed_precision = False
    config.train.jit_compile = False
    config.train.strategy = "default"

    config.dqn = ml_collections.ConfigDict()
    config.dqn.learning_rate = 2e-4
    config.dqn.discount = 0.9
    config.dqn.epsilon_start = 1.0
    config.dqn.epsilon_end = 0.05
    config.dqn.epsilon_decay_steps = 2000
    config.dqn.target_sync_every = 100
    config.dqn.td_loss = "huber"

    config.mathieu = mathieu_step.default_config()
    return config


def parse_config_args(arg, choices, defaults, config_file):
    """Splits the "a,b" after ":" in --config=FILE:a,b into validated values.

    Args:
      arg: the argument string, or None.
      choices: one tuple of allowed values per position.
      defaults: one default per position, used for missing trailing values.
      config_file: the config file's name, for error messages.

    Returns:
      a list with one value per position.
    """
    parts = [] if not arg else [p.strip() for p in str(arg).split(",")]
    if len(parts) > len(defaults):
        raise ValueError(f"{config_file}: expected at most {len(defaults)} comma-separated "
                         f"arguments, got {arg!r}")
    values = parts + list(defaults[len(parts):])
    for value, allowed in zip(values, choices):
        if value not in allowed:
            raise ValueError(f"{config_file}: {value!r} (in {arg!r}) is not one of {allowed}")
    return values


def _check(condition, key, value, requirement):
    if not condition:
        raise ValueError(f"config.{key} = {value!r}: must be {requirement}")


def validate_config(config):
    """Raises ValueError naming the first invalid key of a training config."""
    for section in ("data", "model", "train", "dqn"):
        if section not in config:
            raise ValueError(f"config has no '{section}' section")
    _check(config.method in METHODS, "method", config.method, f"one of {METHODS}")
    model, train, dqn = config.model, config.train, config.dqn
    _check(model.z_dim >= 1, "model.z_dim", model.z_dim, ">= 1")
    if config.method == "rnn_dqn":
        _check(model.num_actions >= 1, "model.num_actions", model.num_actions, ">= 1")
    if config.method == "layered":
        for key in ("width", "moving_layer", "refine", "coords", "sharp"):
            if key not in model:
                raise ValueError(f"config.method = 'layered' needs config.model.{key} "
                                 "(experiments/configs/layered.py sets it)")
        _check(model.num_actions >= 0, "model.num_actions", model.num_actions, ">= 0")
        _check(model.width >= 1, "model.width", model.width, ">= 1")
    if "motion_weight" in train:
        _check(train.motion_weight >= 0, "train.motion_weight", train.motion_weight, ">= 0")
        steps = train.get("motion_weight_steps", train.num_steps)
        _check(steps >= 1, "train.motion_weight_steps", steps, ">= 1")
    _check(model.image_size >= 16 and model.image_size % 16 == 0, "model.image_size",
           model.image_size, "a positive multiple of 16")
    for key in ("batch_size", "num_steps", "steps_per_loop", "checkpoint_every",
                "keep_checkpoints", "eval_every", "eval_batch_size"):
        _check(train[key] >= 1, f"train.{key}", train[key], ">= 1")
    _check(0 <= train.num_gif_samples <= train.eval_batch_size, "train.num_gif_samples",
           train.num_gif_samples, "in [0, train.eval_batch_size]")
    _check(train.learning_rate > 0, "train.learning_rate", train.learning_rate, "> 0")
    for key in ("beta_1", "beta_2"):
        _check(0 <= train[key] < 1, f"train.{key}", train[key], "in [0, 1)")
    _check(train.lambda_adv >= 0, "train.lambda_adv", train.lambda_adv, ">= 0")
    strategy = train.get("strategy", "default")  # absent from configs saved before it
    _check(strategy in STRATEGIES, "train.strategy", strategy, f"one of {STRATEGIES}")
    _check(dqn.learning_rate > 0, "dqn.learning_rate", dqn.learning_rate, "> 0")
    _check(0 <= dqn.discount <= 1, "dqn.discount", dqn.discount, "in [0, 1]")
    for key in ("epsilon_start", "epsilon_end"):
        _check(0 <= dqn[key] <= 1, f"dqn.{key}", dqn[key], "in [0, 1]")
    _check(dqn.epsilon_decay_steps >= 1, "dqn.epsilon_decay_steps", dqn.epsilon_decay_steps,
           ">= 1")
    _check(dqn.target_sync_every >= 1, "dqn.target_sync_every", dqn.target_sync_every, ">= 1")
    _check(dqn.td_loss in TD_LOSSES, "dqn.td_loss", dqn.td_loss, f"one of {TD_LOSSES}")
    if config.method == "mathieu":
        if "mathieu" not in config:
            raise ValueError("config.method = 'mathieu' needs a 'mathieu' section "
                             "(cinegen_tf.training.mathieu_step.default_config())")
        mathieu_step.validate_config(config.mathieu)
    return config
