"""PSNR and SSIM of generated sequences, on frames and on frame differences (Sec. 5, Tables 1-3).

Conventions (DESIGN.md "Metric conventions"):

* Inputs are float sequences `(B, T, H, W, 3)` in [-1, 1] (the data contract); they are
  mapped once to RGB frames f in [0, 1] by (x + 1) / 2.
* Frame metrics: `tf.image.psnr(max_val=1)` and `tf.image.ssim(max_val=1)` at its defaults
  (11x11 Gaussian window, sigma 1.5, k1 0.01, k2 0.03, 'valid' window positions), the SSIM
  averaged over the three channels; `ssim_on_luminance=True` measures SSIM on the BT.601
  luma Y = 0.299 R + 0.587 G + 0.114 B instead, as Mathieu et al.'s evaluation scripts did.
* Scored frames: the generated frames t = 1 .. length - 1. Frame 0 is the input image:
  it is never scored, and the prediction's frame 0 is replaced by the ground truth's (so a
  prediction may also be passed without it, as `(B, T - 1, H, W, 3)`). Black padding at
  t >= length (synthetic data) is not scored unless `include_padding=True`.
* Aggregation: per-frame scores are averaged over a clip's scored frames, then over clips.
  The per-time-step curve at step t averages frame t over the clips that score it.
* A perfect frame has infinite PSNR (and the constant baseline's frame differences are
  perfect wherever the ground truth holds still, e.g. the "scale" pattern's repeated
  frames). So the per-frame MSE is floored at `psnr_mse_floor`, by default (1/255)^2: one
  8-bit grey level RMS on the [0, 1] scale, the resolution of the ground truth. PSNR is
  then at most 48.13 dB on frames and 54.15 dB on differences (peak 2); capped frames are
  counted in the result. `psnr_mse_floor=0` keeps the raw (possibly infinite) values.

Frame differences (Sec. 5.4, Table 3): for frames f_t in [0, 1],

    d_t = f_t - f_{t-1}  in [-1, 1],   t = 1 .. length - 1,

with f_0 the input image, compared with PSNR and SSIM at max_val = 2, the range of d.
Why this definition: zero motion is the all-zero image, exactly as the paper says of the
constant baseline ("frame-wise difference results in all-zero images"); PSNR with peak 2
on d equals PSNR with peak 1 on d / 2, and SSIM's constants scale with max_val, so the
numbers equal those of the half difference (f_t - f_{t-1}) / 2 on a unit range. We do not
shift d to [0, 1] by (d + 1) / 2: SSIM's luminance term is not shift invariant, and around
a mean of 0.5 it would be ~1 everywhere, hiding errors in where things move.
"""
import numpy as np
import tensorflow as tf

LUMA_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R BT.601, as tf.image.rgb_to_yuv
DEFAULT_PSNR_MSE_FLOOR = (1.0 / 255.0) ** 2
METRIC_NAMES = ("psnr", "ssim", "frame_diff_psnr", "frame_diff_ssim")
_RANGE_TOLERANCE = 1e-3


def _luma(frames):
    """(..., 3) -> (..., 1) BT.601 luma."""
    return tf.reduce_sum(frames * tf.constant(LUMA_WEIGHTS, frames.dtype), axis=-1, keepdims=True)


def psnr_cap_db(max_val, psnr_mse_floor):
    """Largest PSNR allowed by the MSE floor: 10 log10(max_val^2 / floor) (inf if 0)."""
    if psnr_mse_floor == 0:
        return float("inf")
    return float(10.0 * np.log10(max_val ** 2 / psnr_mse_floor))


def _psnr_ssim(pred, target, max_val, ssim_on_luminance, psnr_mse_floor):
    """Per-frame PSNR and SSIM of (N, T, H, W, 3) tensors -> two float32 (N, T)."""
    shape = tf.shape(pred)
    flat_pred = tf.reshape(pred, tf.concat([[-1], shape[2:]], axis=0))
    flat_target = tf.reshape(target, tf.concat([[-1], shape[2:]], axis=0))
    psnr = tf.image.psnr(flat_pred, flat_target, max_val=max_val)
    psnr = tf.minimum(psnr, psnr_cap_db(max_val, psnr_mse_floor))
    if ssim_on_luminance:
        flat_pred, flat_target = _luma(flat_pred), _luma(flat_target)
    ssim = tf.image.ssim(flat_pred, flat_target, max_val=max_val)
    return tf.reshape(psnr, shape[:2]), tf.reshape(ssim, shape[:2])


@tf.function(reduce_retracing=True)
def per_frame_scores(pred, target, ssim_on_luminance=False, frame_diff=True,
                     psnr_mse_floor=DEFAULT_PSNR_MSE_FLOOR):
    """Scores of every generated frame t = 1 .. T - 1 (no masking by length).

    Args:
      pred: float32 (B, T, H, W, 3) in [-1, 1]; frame 0 is ignored (replaced by target's).
      target: float32 (B, T, H, W, 3) in [-1, 1], frame 0 = the input image.
      ssim_on_luminance: SSIM on BT.601 luma instead of the RGB channel mean.
      frame_diff: also score the frame differences d_t (module docstring).
      psnr_mse_floor: per-frame MSE floor on the [0, 1] scale (module docstring).

    Returns:
      dict of float32 (B, T - 1), column t - 1 scoring frame t: "psnr", "ssim", and if
      frame_diff "frame_diff_psnr", "frame_diff_ssim".
    """
    target = (tf.cast(target, tf.float32) + 1.0) / 2.0
    pred = tf.clip_by_value((tf.cast(pred, tf.float32) + 1.0) / 2.0, 0.0, 1.0)
    pred = tf.concat([target[:, :1], pred[:, 1:]], axis=1)
    psnr, ssim = _psnr_ssim(pred[:, 1:], target[:, 1:], 1.0, ssim_on_luminance,
                            psnr_mse_floor)
    scores = {"psnr": psnr, "ssim": ssim}
    if frame_diff:
        pred_diff = pred[:, 1:] - pred[:, :-1]
        target_diff = target[:, 1:] - target[:, :-1]
        scores["frame_diff_psnr"], scores["frame_diff_ssim"] = _psnr_ssim(
            pred_diff, target_diff, 2.0, ssim_on_luminance, psnr_mse_floor)
    return scores


def scored_frame_mask(length, num_frames, include_padding=False):
    """Which generated frames count: bool (B, num_frames - 1), column t - 1 for frame t."""
    steps = np.arange(1, num_frames)[None, :]
    if include_padding:
        return np.ones((len(length), num_frames - 1), bool)
    return steps < np.asarray(length)[:, None]


def _validate(pred, target, length):
    """Checks shapes, ranges and lengths; returns numpy (pred, target, length)."""
    target = np.asarray(target, np.float32)
    pred = np.asarray(pred, np.float32)
    if target.ndim != 5 or target.shape[-1] != 3:
        raise ValueError(f"target must be (B, T, H, W, 3), got shape {target.shape}")
    batch, num_frames, height, width, _ = target.shape
    if num_frames < 2:
        raise ValueError("target needs the input frame and >= 1 frame to score, "
                         f"got T={num_frames}")
    if min(height, width) < 11:
        raise ValueError(f"frames must be at least 11x11 for the SSIM window, got {height}x{width}")
    if pred.shape == (batch, num_frames - 1) + target.shape[2:]:
        pred = np.concatenate([target[:, :1], pred], axis=1)
    if pred.shape != target.shape:
        raise ValueError(f"pred shape {pred.shape} must equal target shape {target.shape} "
                         f"(or lack only frame 0: {(batch, num_frames - 1) + target.shape[2:]})")
    for name, value in (("pred", pred), ("target", target)):
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{name} contains NaN or inf")
        low, high = float(value.min()), float(value.max())
        if low < -1 - _RANGE_TOLERANCE or high > 1 + _RANGE_TOLERANCE:
            raise ValueError(f"{name} must be in [-1, 1], got values in [{low}, {high}]")
    length = np.asarray(length).reshape(-1)
    if length.shape != (batch,) or not np.issubdtype(length.dtype, np.integer):
        raise ValueError(f"length must be an integer (B,) = ({batch},) array, got {length!r}")
    bad = (length < 2) | (length > num_frames)
    if np.any(bad):
        raise ValueError(f"length must be in [2, T={num_frames}] (input + >= 1 generated frame); "
                         f"got {length[bad].tolist()} at batch rows {np.flatnonzero(bad).tolist()}")
    return pred, target, length


class SequenceMetrics:
    """Streams PSNR/SSIM (and frame-difference PSNR/SSIM) over batches of sequences.

    Usage:
      metrics = SequenceMetrics()
      for batch in test_split:
          metrics.update(generated, batch["video"], batch["length"])
      table_row = metrics.result()

    Args:
      include_padding: also score padded frames t >= length.
      ssim_on_luminance: SSIM on luma (Mathieu et al.'s scripts) instead of RGB.
      frame_diff: also compute the Table 3 metrics on frame differences.
      psnr_mse_floor: per-frame MSE floor on the [0, 1] scale (module docstring).
    """

    def __init__(self, include_padding=False, ssim_on_luminance=False, frame_diff=True,
                 psnr_mse_floor=DEFAULT_PSNR_MSE_FLOOR):
        if not psnr_mse_floor >= 0:
            raise ValueError(f"psnr_mse_floor must be >= 0, got {psnr_mse_floor}")
        self.include_padding = bool(include_padding)
        self.ssim_on_luminance = bool(ssim_on_luminance)
        self.frame_diff = bool(frame_diff)
        self.psnr_mse_floor = float(psnr_mse_floor)
        # name -> PSNR cap for the capped-frame counts (frame-difference peak is 2).
        self._caps = {"psnr": psnr_cap_db(1.0, self.psnr_mse_floor),
                      "frame_diff_psnr": psnr_cap_db(2.0, self.psnr_mse_floor)}
        self.names = METRIC_NAMES if self.frame_diff else METRIC_NAMES[:2]
        self.reset()

    def reset(self):
        self.num_clips = 0
        self.num_frames = 0
        self._clip_sums = {name: 0.0 for name in self.names}
        self._step_sums = {name: np.zeros(0) for name in self.names}
        self._step_counts = np.zeros(0, np.int64)
        self._capped = {name: 0 for name in self.names if name.endswith("psnr")}

    def _grow(self, steps):
        """Makes the per-step arrays at least `steps` long (batches may differ in T)."""
        extra = steps - len(self._step_counts)
        if extra > 0:
            self._step_counts = np.concatenate([self._step_counts, np.zeros(extra, np.int64)])
            for name in self.names:
                self._step_sums[name] = np.concatenate([self._step_sums[name], np.zeros(extra)])

    def update(self, pred, target, length):
        """Adds one batch.

        Args:
          pred: float (B, T, H, W, 3) in [-1, 1] (frame 0 ignored), or (B, T - 1, H, W, 3)
            holding only the generated frames 1 .. T - 1.
          target: float (B, T, H, W, 3) in [-1, 1], the ground-truth sequence.
          length: int (B,) in [2, T], true length (input frame included).
        """
        pred, target, length = _validate(pred, target, length)
        scores = per_frame_scores(pred, target, ssim_on_luminance=self.ssim_on_luminance,
                                  frame_diff=self.frame_diff,
                                  psnr_mse_floor=self.psnr_mse_floor)
        mask = scored_frame_mask(length, target.shape[1], self.include_padding)
        counts = mask.sum(axis=1)
        self._grow(mask.shape[1])
        steps = mask.shape[1]
        for name in self.names:
            values = np.where(mask, scores[name].numpy().astype(np.float64), 0.0)
            self._clip_sums[name] += float(np.sum(values.sum(axis=1) / counts))
            self._step_sums[name][:steps] += values.sum(axis=0)
            if name in self._capped:
                # float32 PSNRs vs the float64 cap: a 1e-4 dB margin.
                self._capped[name] += int(np.sum(mask & (values >= self._caps[name] - 1e-4)))
        self._step_counts[:steps] += mask.sum(axis=0)
        self.num_clips += len(length)
        self.num_frames += int(counts.sum())

    def result(self):
        """Returns the metrics so far.

        Returns:
          dict with, for each name in ("psnr", "ssim", "frame_diff_psnr", "frame_diff_ssim")
          (the last two only if frame_diff): `name` -> float mean over clips of the clip mean,
          `name + "_per_step"` -> float64 (T_max - 1,) curve, entry t - 1 for frame t (NaN
          where no clip scores that step); `"num_capped_" + name` for the PSNRs -> frames
          whose MSE was at or below psnr_mse_floor; and "num_clips", "num_frames",
          "frames_per_step" (int64).
        """
        if self.num_clips == 0:
            raise ValueError("no batch was added: call update() before result()")
        out = {"num_clips": self.num_clips, "num_frames": self.num_frames,
               "frames_per_step": self._step_counts.copy()}
        with np.errstate(invalid="ignore", divide="ignore"):
            for name in self.names:
                out[name] = self._clip_sums[name] / self.num_clips
                out[name + "_per_step"] = np.where(
                    self._step_counts > 0, self._step_sums[name] / self._step_counts, np.nan)
        for name, count in self._capped.items():
            out["num_capped_" + name] = count
        return out


def sequence_metrics(pred, target, length, **kwargs):
    """One-batch convenience: `SequenceMetrics(**kwargs)` updated once, its `result()`."""
    metrics = SequenceMetrics(**kwargs)
    metrics.update(pred, target, length)
    return metrics.result()
