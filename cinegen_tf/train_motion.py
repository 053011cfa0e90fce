"""Trains our real-photo motion model (not in the paper) on the train split of real clips.

    python -m cinegen_tf.train_motion --manual_dir=../shared/data/real_cinemagraphs \
        --output=workdirs/motion/motion_net.npz

The first run computes the windows' optical-flow targets (cached under --cache_dir);
training is a few thousand compiled steps of random crops (cinegen_tf/motion/training.py).
The output is a weights file for `cinegen_tf.motion.model.load` (the bundled one is
cinegen_tf/motion/weights/motion_net.npz) and a JSON history beside it.
"""
import json
import os
import subprocess
import time

from absl import flags

from cinegen_tf import cli

_MANUAL_DIR = flags.DEFINE_string("manual_dir", None, "Real cinemagraphs: water/ (or "
                                  "water_flowing/) and fire/ folders of clips.")
_OUTPUT = flags.DEFINE_string("output", None, "Weights file to write (.npz).")
_CACHE_DIR = flags.DEFINE_string("cache_dir", "workdirs/motion_cache", "Where the targets "
                                 "of the clips' windows are kept between runs.")
_STEPS = flags.DEFINE_integer("steps", 3000, "Training steps.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 16, "Crops per step.")
_LEARNING_RATE = flags.DEFINE_float("learning_rate", 1e-3, "Adam's peak learning rate "
                                    "(cosine decay to 5% of it).")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the weights and the crops.")
flags.mark_flags_as_required(["manual_dir", "output"])


def _code_version():
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True,
                              text=True, check=True, cwd=os.path.dirname(__file__)).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _main(argv):
    del argv
    from cinegen_tf.motion import model, prepared, training  # TensorFlow, after the flags
    from cinegen_tf.training import precision

    if not os.path.isdir(_MANUAL_DIR.value):
        raise cli.UserError(f"--manual_dir={_MANUAL_DIR.value}: no such folder")
    if not _OUTPUT.value.endswith(".npz"):
        raise cli.UserError(f"--output={_OUTPUT.value}: must end in .npz")
    for name, value in (("steps", _STEPS.value), ("batch_size", _BATCH_SIZE.value)):
        if value < 1:
            raise cli.UserError(f"--{name}={value}: must be >= 1")
    start = time.time()
    windows = prepared.prepare(_MANUAL_DIR.value, "train", _CACHE_DIR.value)
    prepare_seconds = time.time() - start
    print(f"{len(windows)} train windows ({prepare_seconds:.0f} s)", flush=True)
    net, history = training.train(windows, _STEPS.value, _BATCH_SIZE.value,
                                  _LEARNING_RATE.value, _SEED.value)
    meta = dict(
        data=f"train split of {_MANUAL_DIR.value} ({len(windows)} one-second windows)",
        command="python -m cinegen_tf.train_motion --manual_dir=%s --steps=%d "
                "--batch_size=%d --learning_rate=%g --seed=%d" % (
                    _MANUAL_DIR.value, _STEPS.value, _BATCH_SIZE.value,
                    _LEARNING_RATE.value, _SEED.value),
        steps=_STEPS.value, batch_size=_BATCH_SIZE.value, seed=_SEED.value,
        learning_rate=_LEARNING_RATE.value, code_version=_code_version(),
        cpu=precision.cpu_line(),
        prepare_minutes=round(prepare_seconds / 60, 1),
        train_minutes=round(history[-1]["seconds"] / 60, 1), final_losses=history[-1])
    model.save_weights(_OUTPUT.value, net.numpy_weights(), meta)
    with open(os.path.splitext(_OUTPUT.value)[0] + "_history.json", "w") as f:
        json.dump(dict(meta=meta, history=history), f, indent=1)
    print(f"wrote {_OUTPUT.value} ({os.path.getsize(_OUTPUT.value) / 1e6:.1f} MB)")


def main():
    cli.run(_main)


if __name__ == "__main__":
    main()
