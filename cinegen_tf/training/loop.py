"""The compiled inner loop: several train steps per tf.function call (orbit/simclr style).

Summaries, evaluation and checkpoints stay in the eager outer loop (train_lib); the inner
loop only steps, averages the metrics and stops at the first non-finite one.
"""
import tensorflow as tf


class NonFiniteLossError(FloatingPointError):
    """A train step produced a NaN or infinite loss."""


def checked_metrics(method, metrics):
    """`metrics` of one train step, refused unless its keys are method.metric_names."""
    if set(metrics) != set(method.metric_names):
        raise ValueError(f"train step metrics {sorted(metrics)} differ from the "
                         f"declared {sorted(method.metric_names)}")
    return metrics


def make_train_loop(method, step, rng, jit_compile=False, step_metrics=None):
    """Compiles `num_steps` consecutive train steps into one call.

    Args:
      method: a methods.Method with a train_step.
      step: int64 tf.Variable, steps done; incremented after every finite step.
      rng: tf.random.Generator; one (2,) seed is drawn per step for the step's sampling.
      jit_compile: XLA (off by default: ~20x slower than graph mode on CPU).
      step_metrics: (batch, step value, seed) -> {metric: scalar}, one train step; by
        default method.train_step (distribute.py passes a replicated one).

    Returns:
      train_loop(iterator, num_steps) -> (means, last, finite): means maps each metric to
      its float32 mean over the finite steps of this call, last to its value at the last
      step run, and finite is False when that last step was not finite (then `step`
      still counts the steps before it and the loop stopped early).
    """
    names = tuple(method.metric_names)
    if step_metrics is None:
        def step_metrics(batch, step_value, seed):
            return checked_metrics(method, method.train_step(batch, step_value, seed))
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
            metrics = step_metrics(next(iterator), step.read_value(), seed)
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
