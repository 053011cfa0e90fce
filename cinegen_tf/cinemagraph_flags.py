"""The command-line flags of `CinemagraphOptions`, shared by the generate and export binaries.

Only binaries import this module (it defines absl flags at import).
"""
from absl import flags

from cinegen_tf.inference import looping
from cinegen_tf.inference.options import CinemagraphOptions

CHECKPOINT = flags.DEFINE_string("checkpoint", None, "Training workdir, its checkpoints/ "
                                 "folder, or a checkpoint prefix (DIR/checkpoints/ckpt-N).")
_NUM_FRAMES = flags.DEFINE_integer("num_frames", None, "Frames before looping: the photo, "
                                   "then num_frames - 1 frames moved as the model's frames "
                                   "change over time (>= 2). Default 21 (a checkpoint) or "
                                   "48 (generate's motion model).")
# The flags below shape a trained generator's cinemagraph; the motion model has none.
TRAINED_ONLY = ("loop", "crossfade_frames", "full_resolution", "temperature",
                "motion_threshold", "frozen")
_LOOP = flags.DEFINE_enum("loop", "crossfade", list(looping.LOOP_MODES),
                          "How the last frame flows into the first.")
_CROSSFADE_FRAMES = flags.DEFINE_integer("crossfade_frames", None, "Frames blended by the "
                                         "crossfade loop (default num_frames // 4).")
_FULL_RESOLUTION = flags.DEFINE_boolean("full_resolution", True, "Frames at the photo's "
                                        "size (else the model's plain 64x64 frames).")
_TEMPERATURE = flags.DEFINE_float("temperature", 0.0, "0: greedy DQN actions; > 0: sample "
                                  "actions from softmax(Q / temperature) (RNN+DQN only).")
_MOTION_THRESHOLD = flags.DEFINE_float("motion_threshold", 0.1, "A pixel moves where the "
                                       "model's frames change over time by more than this "
                                       "(in [-1, 1] units; 0.1 ~ 13 grey levels); elsewhere "
                                       "every frame is the photo's pixel.")

_FROZEN = flags.DEFINE_boolean("frozen", False, "Snapshot the weights into the graph: "
                               "1.2-1.7x faster per photo, 0.8-2.8 s slower first photo, "
                               "<= ~1 GB more memory (for folders of many photos, serving).")


def num_frames():
    """--num_frames as given, or None."""
    return _NUM_FRAMES.value


def options():
    """The `CinemagraphOptions` the flags ask for (ValueError on bad values)."""
    return CinemagraphOptions(
        num_frames=21 if _NUM_FRAMES.value is None else _NUM_FRAMES.value, loop=_LOOP.value,
        crossfade_frames=_CROSSFADE_FRAMES.value, full_resolution=_FULL_RESOLUTION.value,
        temperature=_TEMPERATURE.value, motion_threshold=_MOTION_THRESHOLD.value,
        frozen=_FROZEN.value)
