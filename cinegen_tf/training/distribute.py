"""Training on several devices or machines with tf.distribute (`config.train.strategy`).

Strategies:

- "default": no tf.distribute at all: today's single-device loop (training/loop.py) and
  input pipeline, bit for bit.
- "mirrored": `tf.distribute.MirroredStrategy` over every GPU of this machine, or, when it
  has none, over every logical CPU device (one unless the process split the CPU with
  `tf.config.set_logical_device_configuration`, as the tests do).
- "multi_worker": `tf.distribute.MultiWorkerMirroredStrategy`, the cluster and this
  process's place in it read from the `TF_CONFIG` environment variable.
- "tpu": `tf.distribute.TPUStrategy`, the TPU found by `TPUClusterResolver()` (a Cloud TPU
  VM, or `TPU_NAME`); a clear RuntimeError where there is none.

What the distributed loop does, generically for any `methods.Method` (its train_step is
run unchanged on every replica, so a new method needs nothing here):

- batch: `train.batch_size` is the global batch; each of the R replicas gets B / R rows,
  and replica r's rows are rows `r*B/R .. (r+1)*B/R - 1` of the global batch a default run
  sees at that step (`distribute_dataset`), so any replica count sees the same data.
- losses scaled to the global batch: a replica's losses are means over its B / R rows;
  Keras 3 optimizers sum the replicas' gradients (`optimizer.apply` all-reduces with
  ReduceOp.SUM in a replica context), so every optimizer of the method gets
  `loss_scale_factor = R` (`scale_to_global_batch`), which divides the summed gradient by
  R: the mean of the replicas' mean-loss gradients, the gradient of the global-batch mean
  when every replica scores as many frames (clips of unequal length, synthetic padding,
  weigh each replica's mean equally, not each frame).
- exploration: the step's seed is drawn once (one `tf.random.Generator`, checkpointed),
  replica 0 uses it as a default run does and replica r > 0 folds in r
  (`replica_seed`): distinct per replica and reproducible.
- target network: the train step's sync assigns the online DQN's mirrored weights into
  the target's on every replica, inside the replicated step.
- metrics: each replica's value, averaged over replicas (ReduceOp.MEAN).
- writing: only the chief (`is_chief`) writes config.json, summaries, samples and the
  checkpoints in the workdir; the other workers take part in saving (collectives) into a
  scratch folder they delete (`worker_checkpoint_dir`).
"""
import contextlib
import inspect
import os

from absl import logging
import tensorflow as tf

from cinegen_tf.training import loop

DEFAULT = "default"
# The class of TF's default strategy (the one in effect outside any strategy scope).
_DEFAULT_TYPE = type(tf.distribute.get_strategy())


def make_strategy(name):
    """The tf.distribute strategy named by `config.train.strategy`.

    Create it first thing in a process: MultiWorkerMirroredStrategy configures the
    collective ops, which must happen before TF runs anything.

    Raises:
      ValueError: an unknown name.
      RuntimeError: "tpu" without a reachable TPU.
    """
    if name == DEFAULT:
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = gpus or tf.config.list_logical_devices("CPU")
        return tf.distribute.MirroredStrategy([d.name for d in devices])
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            logging.warning("train.strategy = 'multi_worker' without TF_CONFIG: one worker.")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, RuntimeError, tf.errors.OpError) as e:
            raise RuntimeError(
                f"train.strategy = 'tpu' found no TPU ({type(e).__name__}: {e}); run on a "
                f"Cloud TPU VM or set TPU_NAME, or use 'mirrored' / 'multi_worker'") from e
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"unknown train.strategy {name!r}")


def is_default(strategy):
    """Whether `strategy` is TF's default (no tf.distribute): the plain loop and data."""
    return isinstance(strategy, _DEFAULT_TYPE)


def scope(strategy):
    """strategy.scope() to build the networks and optimizers in; nothing for default."""
    return contextlib.nullcontext() if is_default(strategy) else strategy.scope()


def is_chief(strategy):
    """Whether this process writes the workdir (always, but for non-chief workers)."""
    return bool(strategy.extended.should_checkpoint)


def worker_checkpoint_dir(strategy, workdir):
    """Where a non-chief worker saves its (discarded) share of a checkpoint."""
    task_id = getattr(getattr(strategy, "cluster_resolver", None), "task_id", None)
    return os.path.join(workdir, f".worker_{task_id}_scratch")


def scale_to_global_batch(method, strategy):
    """Sets `loss_scale_factor = R` on every optimizer of `method` (see module doc).

    Keras divides the gradients by loss_scale_factor in `apply`; it is a plain attribute,
    not checkpointed, so a checkpoint restores under any replica count. Nothing changes
    with one replica.
    """
    replicas = strategy.num_replicas_in_sync
    if replicas == 1:
        return
    for name, optimizer in method.optimizers.items():
        if optimizer.loss_scale_factor is not None:
            raise ValueError(f"optimizer {name!r} already has loss_scale_factor "
                             f"{optimizer.loss_scale_factor}")
        optimizer.loss_scale_factor = float(replicas)


def replica_seed(seed):
    """This replica's exploration seed: `seed` on replica 0, seed folded with r on replica r.

    Args:
      seed: int (2,) stateless seed, the same on every replica.
    """
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    if isinstance(replica, int) and replica == 0:
        return seed
    folded = tf.cast(tf.random.experimental.stateless_fold_in(seed, replica), seed.dtype)
    return tf.where(tf.equal(replica, 0), seed, folded)


def _rows(batch, begin, size):
    return {k: v[begin:begin + size] for k, v in batch.items()}


def distribute_dataset(strategy, make_dataset, data_config, *, global_batch_size, seed,
                       start_step, data_dir):
    """The training batches, each replica its share of each global batch.

    Args:
      strategy: from make_strategy.
      make_dataset: pipeline.make_dataset or one with its signature. If it accepts
        `shard=(index, count)` (the project's pipelines do) each replica's stream is built
        sharded, so a worker renders or decodes only its rows; else every worker builds
        the global batches and keeps its rows.
      data_config, seed, start_step, data_dir: as for make_dataset (split "train").
      global_batch_size: train.batch_size, a multiple of the replica count.

    Returns:
      default: the make_dataset dataset; else a tf.distribute DistributedDataset
      (`distribute_datasets_from_function`: one input pipeline per worker) whose
      per-replica batches hold B / R rows.
    """
    kwargs = dict(seed=seed, training=True, start_step=start_step, data_dir=data_dir)
    if is_default(strategy):
        return make_dataset(data_config, "train", batch_size=global_batch_size, **kwargs)
    replicas = strategy.num_replicas_in_sync
    if global_batch_size % replicas:
        raise ValueError(f"config.train.batch_size = {global_batch_size}: must be a multiple "
                         f"of the {replicas} replicas of train.strategy")
    sharded = "shard" in inspect.signature(make_dataset).parameters

    def dataset_fn(context):
        per_replica = context.get_per_replica_batch_size(global_batch_size)
        local = replicas // context.num_input_pipelines  # replicas of this worker
        first = context.input_pipeline_id * local  # global id of its first replica
        if sharded:
            streams = [make_dataset(data_config, "train", batch_size=per_replica,
                                    shard=(first + i, replicas), **kwargs)
                       for i in range(local)]
            if local == 1:
                return streams[0]
            # Consecutive elements go to consecutive local replicas.
            return tf.data.Dataset.choose_from_datasets(
                streams, tf.data.Dataset.range(local).repeat())
        batches = make_dataset(data_config, "train", batch_size=global_batch_size, **kwargs)
        if local == 1:
            return batches.map(lambda b: _rows(b, first * per_replica, per_replica))
        return batches.flat_map(lambda b: tf.data.Dataset.from_tensor_slices(
            {k: tf.reshape(v[first * per_replica:(first + local) * per_replica],
                           tf.concat([[local, per_replica], tf.shape(v)[1:]], 0))
             for k, v in b.items()}))

    return strategy.distribute_datasets_from_function(dataset_fn)


def make_train_loop(strategy, method, step, rng, jit_compile=False):
    """loop.make_train_loop's contract, each step replicated by `strategy`.

    default: loop.make_train_loop itself. Else the inner loop draws one seed per step,
    runs method.train_step on every replica (`strategy.run`) with its share of the batch
    and `replica_seed`, and averages the metrics over the replicas. `step`, `rng` and the
    metric variables are plain (not mirrored) variables, updated in the cross-replica
    context; every worker holds the same values. Call `scale_to_global_batch` first.
    jit_compile compiles the replicated step with XLA (TPU always does).
    """
    if is_default(strategy):
        return loop.make_train_loop(method, step, rng, jit_compile)
    def replica_step(batch, step_value, seed):
        return loop.checked_metrics(
            method, method.train_step(batch, step_value, replica_seed(seed)))

    if jit_compile:
        replica_step = tf.function(replica_step, jit_compile=True)

    def step_metrics(batch, step_value, seed):
        per_replica = strategy.run(replica_step, args=(batch, step_value, seed))
        return {k: strategy.reduce(tf.distribute.ReduceOp.MEAN, per_replica[k], axis=None)
                for k in method.metric_names}

    return loop.make_train_loop(method, step, rng, step_metrics=step_metrics)


def describe(strategy):
    """One log line: the strategy, its replica count and (multi-worker) this task."""
    resolver = getattr(strategy, "cluster_resolver", None)
    task = ""
    if resolver is not None and getattr(resolver, "task_type", None) is not None:
        task = f", task {resolver.task_type}:{resolver.task_id}"
    return (f"{type(strategy).__name__}: {strategy.num_replicas_in_sync} replica(s){task}, "
            f"{'chief' if is_chief(strategy) else 'not chief'}")
