"""Ghost: what a generator leaves where the synthetic object started (not in the paper).

A generator that moves the object must also fill the place it left. Where that fill goes
wrong, a blotch of the object's colour (a "ghost") stays at frame 0's place. The measure:
for every scored frame t (1 .. length - 1, as metrics.py) the region R_t is the frame-0
object's pixels that the true object has left at t (mask_0 and not mask_t); the ghost is
the mean absolute error over R_t, RGB in [0, 1], summed over all frames and divided by the
number of pixel-channels in them. The constant baseline (frame 0 copied) scores the
object's colour against the background there, the worst a generator that never fills the
hole can do; a perfect fill scores 0.
"""
import numpy as np


class Ghost:
    """Streams the ghost over batches: `update(...)` per batch, then `result()`."""

    def __init__(self, include_padding=False):
        self.include_padding = bool(include_padding)
        self._ours = self._constant = 0.0
        self._count = 0

    def update(self, pred, target, mask, length):
        """Adds one batch.

        Args:
          pred: float (B, T - 1, S, S, 3) in [-1, 1], frames 1 .. T - 1 generated from frame 0.
          target: float (B, T, S, S, 3) in [-1, 1], the ground truth, frame 0 the input.
          mask: (B, T, S, S, 1) {0, 1} object masks of `target`.
          length: int (B,) true lengths; frames at or after it are not scored unless
            include_padding.
        """
        pred = np.asarray(pred, np.float32)
        target = np.asarray(target, np.float32)
        mask = np.asarray(mask)[..., 0] > 0
        steps = pred.shape[1]
        t = np.arange(1, steps + 1)[None, :]
        scored = np.ones((len(pred), steps), bool) if self.include_padding else (
            t < np.asarray(length)[:, None])
        left = mask[:, :1] & ~mask[:, 1:steps + 1] & scored[:, :, None, None]  # (B, T-1, S, S)
        ours = np.abs(pred - target[:, 1:steps + 1]) / 2  # [-1, 1] -> [0, 1] units
        constant = np.abs(target[:, :1] - target[:, 1:steps + 1]) / 2
        self._ours += float(ours[left].sum(dtype=np.float64))
        self._constant += float(constant[left].sum(dtype=np.float64))
        self._count += int(left.sum()) * 3

    def result(self):
        """dict: "ghost" (ours), "ghost_constant" (frame 0 copied), "ghost_ratio" (ours /
        constant), "num_pixels" (pixels of R over all frames); NaN where R was empty."""
        if not self._count:
            return {"ghost": float("nan"), "ghost_constant": float("nan"),
                    "ghost_ratio": float("nan"), "num_pixels": 0}
        ours, constant = self._ours / self._count, self._constant / self._count
        return {"ghost": ours, "ghost_constant": constant,
                "ghost_ratio": ours / constant if constant else float("nan"),
                "num_pixels": self._count // 3}
