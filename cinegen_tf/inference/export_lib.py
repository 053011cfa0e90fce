"""SavedModel export of a trained generator, for serving without this package.

The SavedModel holds the CinemagraphModule graph (the same tf.functions the Python API
runs, so it gives the same frames) and the generator's weights. Load it with plain
TensorFlow:

    model = tf.saved_model.load("exported/")
    out = model.signatures["serving_default"](image=tf.constant(photo_uint8))
    frames = out["frames"]          # uint8 (L, H, W, 3)

Signatures:
  serving_default(image uint8 (H, W, 3)) -> frames, model_frames, motion_mask, actions
      greedy actions (or, when exported with temperature > 0, seed (0, 0)), no mask.
  generate(image uint8 (H, W, 3), mask uint8 (h, w), seed int32 (2,)) -> the same;
      mask of any size (255 = may move), seed for sampled actions.
Any photo size works (a 64x64 one gives 64x64 frames); the frame count, loop and
temperature are fixed at export time and recorded in assets.extra/cinemagraph.json.
"""
import dataclasses
import json
import os
import shutil
import tempfile

import tensorflow as tf

from cinegen_tf.inference.pipeline import CinemagraphModule, CinemagraphOptions

INFO_FILE = os.path.join("assets.extra", "cinemagraph.json")


def _is_saved_model(path):
    return os.path.isfile(os.path.join(path, "saved_model.pb"))


def _replace_dir(src, dst):
    """Moves folder `src` to `dst`, replacing an existing `dst` (restored on failure)."""
    if not os.path.exists(dst):
        os.replace(src, dst)
        return
    old = tempfile.mkdtemp(dir=os.path.dirname(dst), prefix=".old-" + os.path.basename(dst) + "-")
    os.replace(dst, os.path.join(old, "model"))
    try:
        os.replace(src, dst)
    except BaseException:
        os.replace(os.path.join(old, "model"), dst)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def export(generator, output_dir, options=CinemagraphOptions(), image_size=None):
    """Writes a serving SavedModel of `generator` to `output_dir`, atomically.

    The model is saved into a temporary folder beside `output_dir` and moved into place;
    an existing SavedModel at `output_dir` is replaced, anything else there is refused.

    Args:
      generator: a RecurrentGenerator (or a baseline with `rollout`).
      output_dir: the SavedModel folder.
      options: `CinemagraphOptions` baked into the graph.
      image_size: the model's square, for generators without `.image_size`.

    Returns:
      output_dir.

    Raises:
      ValueError: `output_dir` exists and is not an (empty folder or) SavedModel.
    """
    output_dir = os.path.abspath(os.fspath(output_dir))
    replaceable = _is_saved_model(output_dir) or (os.path.isdir(output_dir)
                                                  and not os.listdir(output_dir))
    if os.path.exists(output_dir) and not replaceable:
        raise ValueError(f"{output_dir} exists and is not a SavedModel; not overwriting it")
    module = CinemagraphModule(generator, options, image_size=image_size)
    parent = os.path.dirname(output_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=".tmp-" + os.path.basename(output_dir) + "-")
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; a model folder is not
    try:
        signatures = {"serving_default": module.serve.get_concrete_function(),
                      "generate": module.generate.get_concrete_function()}
        tf.saved_model.save(module, tmp, signatures=signatures)
        info = {"options": dataclasses.asdict(options), "image_size": module.image_size,
                "output_frames": options.output_frames,
                "generator": type(generator).__name__,
                "uses_dqn": bool(getattr(generator, "uses_dqn", False))}
        os.makedirs(os.path.join(tmp, "assets.extra"), exist_ok=True)
        with open(os.path.join(tmp, INFO_FILE), "w") as f:
            json.dump(info, f, indent=2, sort_keys=True)
        _replace_dir(tmp, output_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return output_dir


def export_checkpoint(checkpoint, output_dir, options=CinemagraphOptions()):
    """Loads a training checkpoint (workdir or prefix) and exports it; returns output_dir."""
    from cinegen_tf.training.checkpoints import load_generator  # imports the trainers

    generator, config = load_generator(checkpoint)
    return export(generator, output_dir, options, image_size=int(config.model.image_size))
