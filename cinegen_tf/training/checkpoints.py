"""The workdir contract: config.json, checkpoints/, and `load_generator`.

A training workdir holds

    DIR/config.json        the run's ConfigDict as JSON (written atomically at start)
    DIR/checkpoints/       tf.train.CheckpointManager files: ckpt-<step>.index/.data-*,
                           and train_time.json: the training wall time each was saved at
    DIR/events.out.*       TensorBoard summaries (train/*, eval/*)
    DIR/samples/           step_<N>.png strips and step_<N>.gif animations of the fixed
                           evaluation batch (ground truth | generated)

Each checkpoint is a `tf.train.Checkpoint` with the items `step` (int64 variable: steps
done), `rng` (the `tf.random.Generator` of the DQN's exploration), `generator`,
`discriminator` and one `<network>_optimizer` per trained network; RNN+DQN adds
`target_q_network` and `q_optimizer` (its online DQN is `generator.q_network`).
"""
import json
import os
import tempfile

import keras
import ml_collections
import tensorflow as tf

from cinegen_tf.inference.writers import readable_mode
from cinegen_tf.training import config_lib

CONFIG_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
CHECKPOINT_NAME = "ckpt"
TRAIN_TIME_FILE = "train_time.json"


def write_atomically(path, data):
    """Writes `data` (str or bytes) to `path` via a temporary file and os.replace."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-" + os.path.basename(path))
    try:
        with os.fdopen(fd, mode) as f:
            f.write(data)
        os.chmod(tmp, readable_mode())  # mkstemp's 0600 would hide it from other users
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_config(config, workdir):
    """Writes `config` as DIR/config.json (atomically); returns the path."""
    path = os.path.join(workdir, CONFIG_FILE)
    write_atomically(path, config.to_json_best_effort(indent=2, sort_keys=True) + "\n")
    return path


def read_config(workdir):
    """Reads DIR/config.json back into a validated ConfigDict."""
    path = os.path.join(workdir, CONFIG_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} not found: {workdir} is not a training workdir")
    try:
        with open(path) as f:
            config = ml_collections.ConfigDict(json.load(f))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON: {e}") from e
    try:
        return config_lib.validate_config(config)
    except (ValueError, AttributeError, KeyError, TypeError) as e:
        raise ValueError(f"{path}: not a valid training config: {e}") from e


def assert_fully_tracked(items):
    """Checks that a tf.train.Checkpoint over `items` would save every model weight.

    tf.train.Checkpoint follows attributes, not the Python lists Keras 3 layers keep their
    sub-layers in, so a model holding layers only in a list would be saved without them
    and restore "successfully" with random weights. This catches that before training.

    Args:
      items: name -> checkpoint item; keras models among them are checked.

    Raises:
      ValueError naming the model and the first weights the checkpoint would miss.
    """
    for name, item in items.items():
        if not isinstance(item, keras.Model):
            continue
        tracked = set()
        for obj in tf.train.TrackableView(item).descendants():
            tracked.add(id(obj))
        missing = [v.path for v in item.weights  # .variables adds RNG states (dropout seeds)
                   if id(v) not in tracked and id(getattr(v, "_value", None)) not in tracked]
        if missing:
            raise ValueError(f"checkpoint item {name!r} ({type(item).__name__}) would not save "
                             f"{len(missing)} weights, e.g. {missing[:3]}: keep each layer in "
                             f"an attribute, not only in a list")


def checkpoint_dir(workdir):
    return os.path.join(workdir, CHECKPOINT_DIR)


def make_manager(checkpoint, workdir, max_to_keep):
    """A CheckpointManager writing DIR/checkpoints/ckpt-<step>."""
    return tf.train.CheckpointManager(checkpoint, checkpoint_dir(workdir),
                                      max_to_keep=max_to_keep,
                                      checkpoint_name=CHECKPOINT_NAME)


def _train_time_path(workdir):
    return os.path.join(checkpoint_dir(workdir), TRAIN_TIME_FILE)


def _read_train_times(workdir):
    path = _train_time_path(workdir)
    if not os.path.isfile(path):
        return {}
    try:
        with open(path) as f:
            times = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{path} is not a readable train-time log: {e}") from e
    if not isinstance(times, dict):
        raise ValueError(f"{path} is not a train-time log (a JSON object of step -> time)")
    return times


def record_train_time(workdir, step, seconds, complete):
    """Notes in DIR/checkpoints/train_time.json how long training took up to `step`.

    Written (atomically) after each checkpoint is saved, so the time a run took survives
    a kill and resumes with its checkpoint: time spent after the last checkpoint of an
    interrupted session is not counted (that work is redone).

    Args:
      workdir: the training workdir.
      step: the step of the checkpoint just saved.
      seconds: wall time of every training session up to that checkpoint.
      complete: False when some of the time before it is not known (the run resumed from
        a checkpoint saved before this log existed); `seconds` is then a lower bound.
    """
    times = _read_train_times(workdir)
    times[str(int(step))] = {"seconds": round(float(seconds), 1), "complete": bool(complete)}
    times = dict(sorted(times.items(), key=lambda item: int(item[0])))
    write_atomically(_train_time_path(workdir), json.dumps(times, indent=1) + "\n")


def train_time(workdir, step):
    """{"seconds", "complete"} of training up to checkpoint `step`, or None if not logged."""
    entry = _read_train_times(workdir).get(str(int(step)))
    return None if entry is None else {"seconds": float(entry["seconds"]),
                                       "complete": bool(entry["complete"])}


def resolve_checkpoint(path):
    """Finds the checkpoint prefix and workdir that `path` names.

    Args:
      path: a workdir (its latest checkpoint is used), its checkpoints/ folder, or a
        checkpoint prefix such as DIR/checkpoints/ckpt-600.

    Returns:
      (prefix, workdir).
    """
    path = os.path.abspath(os.fspath(path))
    if os.path.isdir(path):
        folder = path if os.path.basename(path) == CHECKPOINT_DIR else checkpoint_dir(path)
        prefix = tf.train.latest_checkpoint(folder)
        if prefix is None:
            raise FileNotFoundError(f"no checkpoint found in {folder}")
        return prefix, os.path.dirname(folder)
    if not tf.io.gfile.exists(path + ".index"):
        raise FileNotFoundError(f"{path} is neither a workdir nor a checkpoint prefix "
                                f"(no {path}.index)")
    return path, os.path.dirname(os.path.dirname(path))


class CorruptCheckpointError(ValueError):
    """A checkpoint's files cannot be read (truncated or damaged)."""


def _data_files(prefix):
    return sorted(tf.io.gfile.glob(prefix + ".data-*")) or [prefix + ".index"]


def restore(checkpoint, prefix):
    """`checkpoint.restore(prefix)`, with a truncated or damaged file named as such.

    Returns:
      the restore status.

    Raises:
      CorruptCheckpointError naming the checkpoint's files and the other checkpoints of
      its folder, any of which can be chosen by its prefix.
    """
    try:
        return checkpoint.restore(prefix)
    except (IndexError, EOFError, tf.errors.DataLossError, tf.errors.OutOfRangeError,
            tf.errors.InternalError) as e:
        folder = os.path.dirname(prefix)
        state = tf.train.get_checkpoint_state(folder)
        others = [p for p in (state.all_model_checkpoint_paths if state else [])
                  if os.path.basename(p) != os.path.basename(prefix)
                  and tf.io.gfile.exists(os.path.join(folder, os.path.basename(p)) + ".index")]
        hint = (f"an earlier good one can be chosen by its prefix, e.g. "
                f"{os.path.join(folder, os.path.basename(others[-1]))}" if others else
                "there is no other checkpoint in " + folder)
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise CorruptCheckpointError(
            f"checkpoint {prefix} is truncated or corrupt ({', '.join(_data_files(prefix))}: "
            f"{reason}); {hint}") from e


def load_generator(path):
    """Rebuilds a trained generator from a workdir or checkpoint prefix.

    The generator is rebuilt from DIR/config.json, built eagerly, and only its weights
    are restored (optimizers, discriminator etc. are skipped).

    Args:
      path: a workdir, its checkpoints/ folder or a checkpoint prefix.

    Returns:
      (generator, config): the keras model (RecurrentGenerator for rnn / rnn_dqn, the
      Mathieu or constant model otherwise) and the run's ConfigDict.

    Raises:
      FileNotFoundError: no config.json or no checkpoint at `path`.
      ValueError: the checkpoint does not fit the model config.json describes.
      CorruptCheckpointError (a ValueError): its files are truncated or damaged.
    """
    from cinegen_tf.training import methods  # methods imports this module

    prefix, workdir = resolve_checkpoint(path)
    config = read_config(workdir)
    generator = methods.build_generator(config)
    assert_fully_tracked({"generator": generator})
    checkpoint = tf.train.Checkpoint(generator=generator)
    try:
        status = restore(checkpoint, prefix)
        status.expect_partial()
        status.assert_existing_objects_matched()
    except CorruptCheckpointError:
        raise
    except (AssertionError, ValueError, tf.errors.InvalidArgumentError) as e:
        raise ValueError(
            f"checkpoint {prefix} does not match the {config.method!r} generator described "
            f"by {os.path.join(workdir, CONFIG_FILE)} (model {config.model.to_dict()}): "
            f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from e
    return generator, config
