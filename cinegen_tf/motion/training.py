"""Training MotionNet on the prepared windows (ours, not in the paper).

Plain regression, no adversary: each step takes random 64x64 crops (random horizontal
flips, which negate the x velocity) of window photos and their targets, and minimises

    BCE(moving) + sum(|v| (1 - cos(direction, v))) / sum(|v|)
      + mean over moving pixels of (| speed - |v| | + |sway - s| + FLICKER_WEIGHT |flicker - f|)

(L1 in the network's own units, `network.*_SCALE`), with Adam in one compiled
`tf.function` step. How fast, how much sway and flicker are learned where the clip moves
only: whether a pixel moves is the moving head's job, and a regression over all pixels
would shrink every amount where that is uncertain (measured: predicted speeds at 0.19x
the targets). The direction term is weighted by the target speed: slow pixels, whose
measured flow is mostly noise, say little about it. The result is a weights file for
`cinegen_tf.motion.bundled`.
"""
import time

import numpy as np
import tensorflow as tf

from cinegen_tf.motion import network

CROP = 64
FLICKER_WEIGHT = 0.5


def default_settings():
    return dict(steps=3000, batch_size=16, learning_rate=1e-3, seed=0)


def _stack_window(w):
    """Targets -> float32 (h, w, 3 + 6): photo in [-1, 1], moving, v, sway, flicker."""
    return np.concatenate([
        w.photo.astype(np.float32) / 127.5 - 1.0, w.moving[..., None],
        w.velocity / network.VELOCITY_SCALE, w.sway / network.SWAY_SCALE,
        w.flicker[..., None] / network.FLICKER_SCALE], -1).astype(np.float32)


class CropSampler:
    """Random training crops of the windows: `batch(n)` -> float32 (n, CROP, CROP, 9)."""

    def __init__(self, windows, seed):
        self.arrays = [_stack_window(w) for w in windows if min(w.photo.shape[:2]) >= CROP]
        if not self.arrays:
            raise ValueError(f"no window is at least {CROP}x{CROP} px")
        self.rng = np.random.default_rng(seed)

    def batch(self, size):
        out = np.empty((size, CROP, CROP, 9), np.float32)
        for i in range(size):
            a = self.arrays[self.rng.integers(len(self.arrays))]
            y = self.rng.integers(a.shape[0] - CROP + 1)
            x = self.rng.integers(a.shape[1] - CROP + 1)
            crop = a[y:y + CROP, x:x + CROP]
            if self.rng.random() < 0.5:
                crop = crop[:, ::-1].copy()
                crop[..., 4] = -crop[..., 4]  # x velocity
            out[i] = crop
        return out


def loss_terms(raw, batch):
    """raw (B, h, w, 7) head outputs, batch (B, h, w, 9) -> dict of scalar losses."""
    moving, velocity = batch[..., 3:4], batch[..., 4:6]
    sway, flicker = batch[..., 6:8], batch[..., 8:9]
    speed = tf.norm(velocity, axis=-1)
    cosine = tf.reduce_sum(tf.math.l2_normalize(raw[..., 1:3], -1)
                           * tf.math.l2_normalize(velocity, -1), -1)
    where = moving / (tf.reduce_sum(moving) + 1.0)  # a mean over the moving pixels

    def moving_l1(predicted, target):
        return tf.reduce_sum(where * tf.abs(predicted - target))

    return {
        "moving": tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(moving, raw[..., :1])),
        "direction": tf.reduce_sum(speed * (1.0 - cosine)) / (tf.reduce_sum(speed) + 1e-6),
        "speed": moving_l1(tf.nn.softplus(raw[..., 3:4]), speed[..., None]),
        "sway": moving_l1(tf.nn.softplus(raw[..., 4:6]), sway),
        "flicker": FLICKER_WEIGHT * moving_l1(tf.nn.softplus(raw[..., 6:7]), flicker),
    }


def train(windows, steps, batch_size, learning_rate, seed, log_every=100, log=print):
    """Trains a fresh MotionNet; returns (model, history list of dicts)."""
    tf.keras.utils.set_random_seed(seed)
    model = network.keras_model()
    schedule = tf.keras.optimizers.schedules.CosineDecay(learning_rate, steps, alpha=0.05)
    optimizer = tf.keras.optimizers.Adam(schedule)
    sampler = CropSampler(windows, seed)

    @tf.function
    def step(batch):
        with tf.GradientTape() as tape:
            terms = loss_terms(model(batch[..., :3], training=True), batch)
            total = tf.add_n(list(terms.values()))
        grads = tape.gradient(total, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return dict(terms, total=total)

    history, start, running = [], time.time(), None
    for i in range(1, steps + 1):
        terms = {k: float(v) for k, v in step(tf.constant(sampler.batch(batch_size))).items()}
        running = terms if running is None else {k: 0.95 * running[k] + 0.05 * v
                                                 for k, v in terms.items()}
        if i % log_every == 0 or i == steps:
            record = dict(step=i, seconds=round(time.time() - start, 1),
                          **{k: round(v, 4) for k, v in running.items()})
            history.append(record)
            log(" ".join(f"{k}={v}" for k, v in record.items()))
    return model, history
