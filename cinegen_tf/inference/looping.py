"""Seamless loops from a generated sequence: ping-pong and crossfade.

A cinemagraph plays forever, so its last frame must flow into its first. The model's
sequence f_0 .. f_{N-1} (f_0 = the input photo) does not loop by itself: the motion goes
one way and the recurrent prediction drifts. A loop is a schedule: output frame i is

    g_i = (1 - w_i) * f[first_i] + w_i * f[second_i]

so it applies the same way to 64x64 model frames and to predicted changes (the
compositing blends changes, so the static background stays exact under every loop).

- "crossfade" (default): the last K frames are blended into the first K, with the head's
  weight rising linearly, and dropped from the end. g_{L-1} = f_{N-K-1} is followed by
  g_0 ~ f_{N-K}, its natural successor, and by g_{K-1} ~ f_{K-1} the blend is over.
  L = N - K frames. The motion keeps its direction; the blend shows as a short
  dissolve, which flowing water and fire (the paper's real categories, Sec. 4.2) hide
  well. Default K = N // 4.
- "pingpong": f_0 .. f_{N-1}, then back f_{N-2} .. f_1; L = 2N - 2. Perfectly seamless
  but the motion reverses: right for swaying or back-and-forth motion (the synthetic
  I / L / scale patterns), wrong for flow.
- "none": the sequence as generated; L = N; the jump from f_{N-1} to f_0 shows.
"""
import numpy as np

LOOP_MODES = ("crossfade", "pingpong", "none")


def default_crossfade_frames(num_frames):
    return max(1, int(num_frames) // 4)


def loop_schedule(num_frames, mode="crossfade", crossfade_frames=None):
    """The frame schedule of a loop.

    Args:
      num_frames: N >= 2, frames in the generated sequence (input photo included).
      mode: one of LOOP_MODES.
      crossfade_frames: K for "crossfade", in [1, N // 2]; None = N // 4 (at least 1).

    Returns:
      (first int32 (L,), second int32 (L,), weight float32 (L,) in [0, 1)).

    Raises:
      ValueError naming the bad argument.
    """
    n = int(num_frames)
    if mode not in LOOP_MODES:
        raise ValueError(f"loop mode {mode!r} is not one of {LOOP_MODES}")
    if n < 2:
        raise ValueError(f"num_frames must be >= 2 (the photo and one generated frame), got {n}")
    if mode == "none":
        first = np.arange(n)
        return first.astype(np.int32), first.astype(np.int32), np.zeros(n, np.float32)
    if mode == "pingpong":
        first = np.concatenate([np.arange(n), np.arange(n - 2, 0, -1)])
        return first.astype(np.int32), first.astype(np.int32), np.zeros(len(first), np.float32)
    k = default_crossfade_frames(n) if crossfade_frames is None else int(crossfade_frames)
    if not 1 <= k <= n // 2:
        raise ValueError(f"crossfade_frames must be in [1, num_frames // 2 = {n // 2}] "
                         f"for num_frames={n}, got {crossfade_frames}")
    length = n - k
    first = np.arange(length)  # the tail frame blended in, or the frame itself
    second = np.arange(length)
    weight = np.zeros(length, np.float32)
    head = np.arange(k)
    first[:k] = n - k + head
    weight[:k] = (head + 1) / (k + 1)  # weight of the head frame f_i
    return first.astype(np.int32), second.astype(np.int32), weight


def loop_length(num_frames, mode="crossfade", crossfade_frames=None):
    """L, the number of frames in the loop (see `loop_schedule`)."""
    return len(loop_schedule(num_frames, mode, crossfade_frames)[0])


def apply_loop(frames, schedule):
    """Applies a loop schedule along the first axis.

    Args:
      frames: float32 (N, ...) tensor or array.
      schedule: (first, second, weight) from `loop_schedule`.

    Returns:
      float32 (L, ...): (1 - w_i) * frames[first_i] + w_i * frames[second_i].
    """
    import tensorflow as tf  # pylint: disable=import-outside-toplevel (keeps this module TF-free)

    first, second, weight = schedule
    frames = tf.convert_to_tensor(frames, tf.float32)
    a, b = tf.gather(frames, first), tf.gather(frames, second)
    w = tf.reshape(tf.constant(weight), [-1] + [1] * (frames.shape.rank - 1))
    return a + w * (b - a)
