"""Exports a trained generator as a SavedModel that serves photos -> cinemagraph frames.

    python -m cinegen_tf.export --checkpoint=runs/water --output=exported/water
    python -m cinegen_tf.export --checkpoint=runs/eight_rnn_dqn --output=exported/eight \
        --num_frames=27 --loop=pingpong --temperature=1

Load it without this package: `tf.saved_model.load(DIR).signatures["serving_default"]
(image=uint8 (H, W, 3))["frames"]` -> uint8 (L, H, W, 3); see
cinegen_tf/inference/export_lib.py for the signatures.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402

from cinegen_tf.inference import export_lib, generate_lib, looping  # noqa: E402
from cinegen_tf.inference.pipeline import CinemagraphOptions  # noqa: E402

_CHECKPOINT = flags.DEFINE_string("checkpoint", None, "Training workdir, its checkpoints/ "
                                  "folder, or a checkpoint prefix (DIR/checkpoints/ckpt-N).")
_OUTPUT = flags.DEFINE_string("output", None, "SavedModel folder to write (an existing "
                              "SavedModel there is replaced).")
_NUM_FRAMES = flags.DEFINE_integer("num_frames", 21, "The photo plus num_frames - 1 "
                                   "generated frames, before looping.")
_LOOP = flags.DEFINE_enum("loop", "crossfade", list(looping.LOOP_MODES),
                          "How the last frame flows into the first.")
_CROSSFADE_FRAMES = flags.DEFINE_integer("crossfade_frames", None, "Frames blended by the "
                                         "crossfade loop (default num_frames // 4).")
_FULL_RESOLUTION = flags.DEFINE_boolean("full_resolution", True, "Frames at the photo's "
                                        "size (else the model's plain 64x64 frames).")
_TEMPERATURE = flags.DEFINE_float("temperature", 0.0, "0: greedy DQN actions; > 0: sample "
                                  "softmax(Q / temperature) with the signature's seed.")
_MOTION_THRESHOLD = flags.DEFINE_float("motion_threshold", 0.1, "Predicted change (in [-1, 1] "
                                       "units) above which a pixel moves.")
flags.mark_flags_as_required(["checkpoint", "output"])


def _main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    try:
        options = CinemagraphOptions(
            num_frames=_NUM_FRAMES.value, loop=_LOOP.value,
            crossfade_frames=_CROSSFADE_FRAMES.value, full_resolution=_FULL_RESOLUTION.value,
            temperature=_TEMPERATURE.value, motion_threshold=_MOTION_THRESHOLD.value)
        path = export_lib.export_checkpoint(_CHECKPOINT.value, _OUTPUT.value, options)
    except (OSError, ValueError, TypeError) as error:
        print(f"error: {generate_lib.one_line(error)}", file=sys.stderr)
        return 1
    print(path)
    return 0


def main():
    app.run(_main)  # exits with _main's return value


if __name__ == "__main__":
    main()
