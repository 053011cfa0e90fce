"""The compiled inner loop: several train steps per tf.function call (orbit/simclr style).

Summaries, evaluation and checkpoints stay in the eager outer loop (train_lib); the inner
loop only steps, averages the metrics and stops at the first non-finite one.
"""
import tensorflow as tf


class NonFiniteLossError(FloatingPointError):
    """A train step produced a NaN or infinite loss."""


def make_train_loop(method, step, rng, jit_compile=False):
    """Compiles `num_steps` consecutive train steps into one call.

    Args:
      method: a methods.Method with a train_step.
      step: int64 tf.Variable, steps done; incremented after every finite step.
      rng: tf.random.Generator; one (2,) seed is drawn per step for the step's sampling.
      jit_compile: XLA (off by default: ~20x slower than graph mode on CPU).

    Returns:
      train_loop(iterator, num_steps) -> (means, last, finite): means maps each metric to
      its float32 mean over the finite steps of this call, last to its value at the last
      step run, and finite is False when that last step was not finite (then `step`
      still counts the steps before it and the loop stopped early).
    """
    names = tuple(method.metric_names)
    sums = {k: tf.Variable(0.0, trainable=False, name=f"sum_{k}") for k in names}
    last = {k: tf.Variable(0.0, trainable=False, name=f"last_{k}") for k in names}

    @tf.function(jit_compile=jit_compile)
    def train_loop(iterator, num_steps):
        for k in names:
            sums[k].assign(0.0)
        done = tf.constant(0)
        finite = tf.constant(True)
        while tf.logical_and(done < num_steps, finite):
            seed = rng.make_seeds(1)[:, 0]
            metrics = method.train_step(next(iterator), step.read_value(), seed)
            if set(metrics) != set(names):
                raise ValueError(f"train step metrics {sorted(metrics)} differ from the "
                                 f"declared {sorted(names)}")
            finite = tf.reduce_all([tf.math.is_finite(metrics[k]) for k in names])
            for k in names:
                last[k].assign(metrics[k])
            if finite:
                step.assign_add(1)
                for k in names:
                    sums[k].assign_add(metrics[k])
            done += 1
        good = tf.cast(done - tf.cast(tf.logical_not(finite), tf.int32), tf.float32)
        return ({k: sums[k] / tf.maximum(good, 1.0) for k in names},
                {k: last[k].read_value() for k in names}, finite)

    def run(iterator, num_steps):
        means, last_values, finite = train_loop(iterator, tf.constant(num_steps, tf.int32))
        return ({k: float(v) for k, v in means.items()},
                {k: float(v) for k, v in last_values.items()}, bool(finite))

    return run
