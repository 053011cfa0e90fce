"""`CinemagraphOptions`: what a trained generator's cinemagraph looks like (frames, loop,
compositing). Plain Python, no TensorFlow, so flags and the generate binary can read it
before deciding whether TensorFlow is needed at all.
"""
import dataclasses
from typing import Optional

from cinegen_tf.inference import looping


@dataclasses.dataclass(frozen=True)
class CinemagraphOptions:
    """What to generate, fixed per traced graph.

    Attributes:
      num_frames: N >= 2 frames before looping: the photo, then N - 1 frames that carry
        the change of the generated f_2 .. f_N from f_1 (the recurrence runs N steps and
        may run past its training length).
      loop: "crossfade" (default), "pingpong" or "none" (see `looping`).
      crossfade_frames: K for "crossfade"; None = N // 4.
      full_resolution: True: composite the predicted change onto the photo at its own
        size; False: the model's plain S x S frames (research use).
      temperature: 0 = greedy DQN actions (the paper's argmax); > 0 samples actions
        from softmax(Q / temperature), seeded. RNN+DQN generators only.
      motion_threshold: change of a generated frame from the loop's first one (in
        [-1, 1] units, 0.1 ~ 13 grey levels) above which a pixel moves.
      mask_dilation: 3x3 dilations of the motion region (model pixels).
      frozen: run the paper's RNN / RNN+DQN generator as `frozen_rollout.FrozenRollout`
        (its weights snapshotted into the graph; other generators run as they are):
        1.2-1.7x faster per cinemagraph, but the first call takes 0.8-2.8 s longer and
        the process up to ~1 GB more. Pays off from a few dozen photos per process
        (folders, serving); False for one photo.
    """
    num_frames: int = 21
    loop: str = "crossfade"
    crossfade_frames: Optional[int] = None
    full_resolution: bool = True
    temperature: float = 0.0
    motion_threshold: float = 0.1
    mask_dilation: int = 1
    frozen: bool = False

    def __post_init__(self):
        looping.loop_schedule(self.num_frames, self.loop, self.crossfade_frames)
        if not self.temperature >= 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 <= self.motion_threshold < 2:
            raise ValueError(f"motion_threshold must be in [0, 2), got {self.motion_threshold}")
        if not 0 <= int(self.mask_dilation) <= 16:
            raise ValueError(f"mask_dilation must be in [0, 16], got {self.mask_dilation}")

    @property
    def output_frames(self):
        """L, the number of frames of the loop."""
        return looping.loop_length(self.num_frames, self.loop, self.crossfade_frames)
