"""Training throughput (generated frames/s) of RNN and RNN+DQN, float32 and bfloat16.

    python benchmarks/train_benchmark.py [--methods=rnn,rnn_dqn --precisions=float32,bfloat16
        --batch_size=64 --num_frames=21 --steps=2]
    python benchmarks/train_benchmark.py --strategy=default,mirrored [--logical_devices=2]

(with cinegen_tf installed, `pip install -e .`, or PYTHONPATH=. from the repo root).

Paper synthetic settings by default: batch 64, 21-frame "eight" sequences (20 generated
frames), |z| = |Q| = 64. Throughput = batch x generated frames / step time. Two loops are
timed on the same networks and one in-memory batch (no input pipeline):

- project: the training loop's compiled multi-step call (training/loop.py: the method's
  train step, exploration seeds, metric means, the non-finite check);
- bare: the yardstick, a plain `tf.function` step written here with the same G/D/DQN
  forward and backward passes and the three Adam updates, nothing else.

With `--strategy=default,mirrored,...` it times the project loop under each
`train.strategy` instead (training/distribute.py; batch_size is the global batch, split
over the replicas), on whatever devices there are: every GPU, else the CPU, which
`--logical_devices=N` splits into N logical devices (they share the same cores, so on a
CPU this measures the cost of replication, not a speed-up). "multi_worker" without
TF_CONFIG is a one-worker cluster.

Each (method, precision, loop) runs in its own subprocess so its peak resident memory
(getrusage ru_maxrss) is its own. The first step of each (tracing) is not timed. The
machine's CPU may be shared: timings are noisy.
"""
import json
import os
import resource
import subprocess
import sys
import time

from absl import app
from absl import flags

_METHODS = flags.DEFINE_list("methods", ["rnn", "rnn_dqn"], "Methods to time.")
_PRECISIONS = flags.DEFINE_list("precisions", ["float32", "bfloat16"],
                                "float32 and/or bfloat16 (Keras mixed_bfloat16).")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 64, "Sequences per step (paper: 64).")
_NUM_FRAMES = flags.DEFINE_integer("num_frames", 21, "Frames per sequence, input included "
                                   "(eight pattern: 21).")
_STEPS = flags.DEFINE_integer("steps", 2, "Timed steps per measurement.")
_STRATEGY = flags.DEFINE_list("strategy", [], "train.strategy values to time the project "
                              "loop under (default, mirrored, multi_worker, tpu); empty: "
                              "project vs bare loop, no tf.distribute.")
_LOGICAL_DEVICES = flags.DEFINE_integer("logical_devices", 0, "Split the CPU into this many "
                                        "logical devices (0: leave it; ignored with GPUs).")
_CHILD = flags.DEFINE_string("child", None, "Internal: 'method,precision,loop[,strategy]'.")


def _bare_step(method, config):
    """The yardstick: a plain tf.function with the same networks' forward + backward."""
    import tensorflow as tf

    generator = method.generator
    discriminator = method.networks["discriminator"]
    target = method.networks.get("target_q_network")
    q_net = generator.q_network
    q_ids = {id(v) for v in q_net.trainable_variables} if q_net is not None else set()
    g_vars = [v for v in generator.trainable_variables if id(v) not in q_ids]
    d_vars = discriminator.trainable_variables
    lam, discount = float(config.train.lambda_adv), float(config.dqn.discount)
    opts = method.optimizers

    @tf.function
    def step(video, seed, epsilon):
        images, targets = video[:, 0], video[:, 1:]
        b, t = video.shape[0], video.shape[1] - 1
        size = tuple(video.shape[2:])
        with tf.GradientTape(persistent=True) as tape:
            out = generator(images, num_frames=t, training=True, epsilon=epsilon, seed=seed)
            frames = out["frames"]
            fake = tf.reshape(discriminator(tf.reshape(frames, (-1,) + size)), (b, t))
            real = tf.reshape(discriminator(tf.reshape(targets, (-1,) + size)), (b, t))
            per_mse = tf.reduce_mean(tf.square(frames - targets), axis=[2, 3, 4])
            per_adv = tf.nn.softplus(-fake)
            g_loss = tf.reduce_mean(per_mse) + lam * tf.reduce_mean(per_adv)
            d_loss = tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))
            if target is not None:
                q_taken = tf.gather(out["q_values"], out["actions"], batch_dims=2)
                reward = tf.stop_gradient(-(per_mse + lam * per_adv))
                next_q = target(tf.reshape(tf.stop_gradient(frames[:, :-1]), (-1,) + size))
                next_max = tf.pad(tf.reshape(tf.reduce_max(next_q, -1), (b, t - 1)),
                                  [[0, 0], [0, 1]])
                y = tf.stop_gradient(reward + discount * next_max)
                q_loss = tf.reduce_mean(tf.keras.losses.huber(y[..., None], q_taken[..., None]))
        opts["generator"].apply(tape.gradient(g_loss, g_vars), g_vars)
        opts["discriminator"].apply(tape.gradient(d_loss, d_vars), d_vars)
        if target is not None:
            q_vars = q_net.trainable_variables
            opts["q"].apply(tape.gradient(q_loss, q_vars), q_vars)
        return g_loss

    return step


def _split_cpu(tf, n):
    """N logical CPU devices (before TF initialises its devices); none with GPUs."""
    if n and not tf.config.list_physical_devices("GPU"):
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])


def _child(spec):
    """Times one (method, precision, loop[, strategy]) and prints one JSON line."""
    method_name, precision, kind, *strategy_name = spec.split(",")
    strategy_name = strategy_name[0] if strategy_name else "default"
    import keras
    import tensorflow as tf

    _split_cpu(tf, _LOGICAL_DEVICES.value)
    from cinegen_tf.training import config_lib, distribute, methods

    strategy = distribute.make_strategy(strategy_name)
    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if precision == "bfloat16" else "float32")
    config = config_lib.base_config()
    config.method = method_name
    config.train.batch_size = _BATCH_SIZE.value
    with distribute.scope(strategy):
        method = methods.build_method(config)
    distribute.scale_to_global_batch(method, strategy)
    video = tf.random.stateless_uniform(
        (_BATCH_SIZE.value, _NUM_FRAMES.value, 64, 64, 3), [0, 1], -1.0, 1.0)
    length = tf.fill((_BATCH_SIZE.value,), _NUM_FRAMES.value)
    if kind == "project":
        step_var = tf.Variable(0, dtype=tf.int64)
        run = distribute.make_train_loop(strategy, method, step_var,
                                         tf.random.Generator.from_seed(0))

        def make_dataset(data_config, split, *, batch_size, **unused):
            del data_config, split, unused
            return tf.data.Dataset.from_tensors(
                {"video": video[:batch_size], "length": length[:batch_size]}).repeat()

        iterator = iter(distribute.distribute_dataset(
            strategy, make_dataset, None, global_batch_size=_BATCH_SIZE.value, seed=0,
            start_step=0, data_dir=None))
        run(iterator, 1)
        start = time.perf_counter()
        run(iterator, _STEPS.value)
    else:
        step = _bare_step(method, config)
        seed, epsilon = tf.constant([1, 2], tf.int64), tf.constant(0.5)
        step(video, seed, epsilon).numpy()
        start = time.perf_counter()
        for _ in range(_STEPS.value):
            loss = step(video, seed, epsilon)
        loss.numpy()
    seconds = (time.perf_counter() - start) / _STEPS.value
    frames = _BATCH_SIZE.value * (_NUM_FRAMES.value - 1)
    if distribute.is_default(strategy):  # TF's default device
        gpus = tf.config.list_logical_devices("GPU")
        names = [(gpus or tf.config.list_logical_devices("CPU"))[0].name]
    else:
        names = strategy.extended.worker_devices
    devices = [name.split("device:")[-1] for name in names]
    print(json.dumps({"method": method_name, "precision": precision, "loop": kind,
                      "strategy": strategy_name, "replicas": strategy.num_replicas_in_sync,
                      "devices": devices,
                      "seconds_per_step": seconds, "frames_per_sec": frames / seconds,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure(method, precision, kind, strategy=None):
    spec = f"{method},{precision},{kind}" + (f",{strategy}" if strategy else "")
    cmd = [sys.executable, os.path.abspath(__file__), f"--child={spec}",
           f"--batch_size={_BATCH_SIZE.value}", f"--num_frames={_NUM_FRAMES.value}",
           f"--steps={_STEPS.value}", f"--logical_devices={_LOGICAL_DEVICES.value}"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv):
    del argv
    if _CHILD.value:
        _child(_CHILD.value)
        return
    for precision in _PRECISIONS.value:
        if precision not in ("float32", "bfloat16"):
            raise app.UsageError(f"--precisions: {precision!r} is not float32 or bfloat16")
    from cinegen_tf.training.precision import native_bfloat16

    print(f"batch {_BATCH_SIZE.value}, {_NUM_FRAMES.value - 1} generated frames/sequence, "
          f"{_STEPS.value} timed steps, {os.cpu_count()} CPUs (possibly shared: noisy), "
          f"native bfloat16: {native_bfloat16()} (cinegen_tf/training/precision.py)")
    if _STRATEGY.value:
        _strategy_table()
        return
    print(f"{'method':8} {'precision':9} {'project f/s':>11} {'bare f/s':>9} "
          f"{'project/bare':>12} {'s/step':>7} {'peak MB':>8}")
    for method in _METHODS.value:
        for precision in _PRECISIONS.value:
            project = _measure(method, precision, "project")
            bare = _measure(method, precision, "bare")
            ratio = project["seconds_per_step"] / bare["seconds_per_step"]
            print(f"{method:8} {precision:9} {project['frames_per_sec']:11.1f} "
                  f"{bare['frames_per_sec']:9.1f} {ratio:12.3f} "
                  f"{project['seconds_per_step']:7.2f} {project['peak_rss_mb']:8.0f}",
                  flush=True)


def _strategy_table():
    """frames/s of the project loop per (method, precision, train.strategy)."""
    print(f"{'method':8} {'precision':9} {'strategy':12} {'replicas':>8} {'frames/s':>9} "
          f"{'s/step':>7} {'peak MB':>8}  devices")
    for method in _METHODS.value:
        for precision in _PRECISIONS.value:
            for strategy in _STRATEGY.value:
                r = _measure(method, precision, "project", strategy)
                print(f"{method:8} {precision:9} {strategy:12} {r['replicas']:8d} "
                      f"{r['frames_per_sec']:9.1f} {r['seconds_per_step']:7.2f} "
                      f"{r['peak_rss_mb']:8.0f}  {','.join(r['devices'])}", flush=True)


if __name__ == "__main__":
    app.run(main)
