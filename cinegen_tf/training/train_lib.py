"""The training loop: `run(config, workdir)` trains config.method and resumes after a kill.

    eager: restore latest checkpoint -> [compiled: steps_per_loop train steps] ->
    eager: scalars, console progress, evaluation (PSNR/SSIM, GIFs, PNG strip),
    checkpoint (+ the training time it took, checkpoints.record_train_time) -> ... until
    train.num_steps.

The workdir layout is described in checkpoints.py. Batches come from
cinegen_tf.data.pipeline.make_dataset; the train stream restarts at `start_step` after a
restore, so an interrupted run sees the same batches as an uninterrupted one.
`train.strategy` other than "default" builds the networks under a tf.distribute strategy
and replicates each step (training/distribute.py); only the chief writes the workdir.
"""
import os
import time

from absl import logging
import keras
import tensorflow as tf

from cinegen_tf.data import pipeline
from cinegen_tf.training import (checkpoints, config_lib, distribute, loop, methods,
                                 precision, recurrent_step, summaries)

# Keys that must match an existing workdir's config.json to resume from its checkpoints.
_RESUME_KEYS = ("method", "model")


def _check_resumable(config, workdir):
    """Refuses to resume a workdir whose checkpoints belong to another model."""
    if tf.train.latest_checkpoint(checkpoints.checkpoint_dir(workdir)) is None:
        return
    if not os.path.isfile(os.path.join(workdir, checkpoints.CONFIG_FILE)):
        return
    old = checkpoints.read_config(workdir)
    for key in _RESUME_KEYS:
        # As plain values: a ConfigDict never equals a locked one (the train binary's).
        if _plain(old[key]) != _plain(config[key]):
            raise ValueError(
                f"{workdir} holds checkpoints of another run ({key} = {old[key]!r} in its "
                f"config.json, {config[key]!r} now): use a new --workdir")


def _plain(value):
    return value.to_dict() if hasattr(value, "to_dict") else value


class _Evaluator:
    """Scores the generator on one fixed held-out batch and writes GIFs / PNG strips."""

    def __init__(self, method, batch, config, workdir):
        video = tf.convert_to_tensor(batch["video"], tf.float32)
        self.images, self.targets = video[:, 0], video[:, 1:]
        num_frames = int(video.shape[1]) - 1
        # Scored like the training loss: padding frames only if train.loss_on_padding.
        self.valid = recurrent_step.scored_frames(batch, num_frames,
                                                  bool(config.train.loss_on_padding))
        self.generate = tf.function(lambda images: method.generate(images, num_frames),
                                    jit_compile=bool(config.train.jit_compile))
        self.num_samples = int(config.train.num_gif_samples)
        self.workdir = workdir

    def __call__(self, step):
        generated = self.generate(self.images)
        results = summaries.sequence_metrics(generated, self.targets, self.valid)
        for name, value in results.items():
            tf.summary.scalar(f"eval/{name}", value, step=step)
        if self.num_samples:
            n = self.num_samples
            args = (self.images[:n].numpy(), self.targets[:n].numpy(), generated[:n].numpy())
            animation = summaries.comparison_frames(*args)
            summaries.write_gif_summary("eval/sequences_truth_vs_generated", animation, step)
            summaries.write_gif(summaries.samples_path(self.workdir, step, ".gif"), animation)
            strip = summaries.sequence_strip(*args)
            tf.summary.image("eval/strip_truth_vs_generated", strip[None], step=step)
            summaries.write_png(summaries.samples_path(self.workdir, step), strip)
        return results


def _next_boundary(step, config):
    """The next step at which the outer loop must stop for an eval/checkpoint/the end."""
    train = config.train
    candidates = [train.num_steps, step + train.steps_per_loop]
    for every in (train.checkpoint_every, train.eval_every):
        candidates.append((step // every + 1) * every)
    return min(candidates)


def run(config, workdir, *, make_dataset=None):
    """Trains `config.method` in `workdir`, resuming from its latest checkpoint.

    Args:
      config: a training ConfigDict (see config_lib).
      workdir: output folder (created); see checkpoints.py for its layout.
      make_dataset: `make_dataset(data_config, split, *, batch_size, seed, training,
        start_step, data_dir)` -> tf.data.Dataset of batches {"video": float32
        (B, T, S, S, 3) in [-1, 1], ...}; cinegen_tf.data.pipeline.make_dataset by default.

    Returns:
      dict: "step", "train" (metric means of the last loop), "eval" (last evaluation).

    Raises:
      loop.NonFiniteLossError: a step produced a NaN/inf loss; nothing was saved after the
        last good checkpoint.
    """
    config_lib.validate_config(config)
    # First: a multi-worker strategy must configure the collectives before TF runs ops.
    strategy = distribute.make_strategy(config.train.get("strategy", distribute.DEFAULT))
    make_dataset = make_dataset or pipeline.make_dataset
    os.makedirs(workdir, exist_ok=True)
    _check_resumable(config, workdir)
    if distribute.is_chief(strategy):
        checkpoints.write_config(config, workdir)
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(precision.policy(config.train.mixed_precision))
    try:
        return _train(config, workdir, make_dataset, strategy)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _session_clock(workdir, start, session_start):
    """() -> (seconds, complete): the run's training time so far, earlier sessions included.

    This session counts from `session_start` (perf_counter), the earlier ones as logged
    for the checkpoint at `start` (checkpoints.train_time).
    """
    earlier = {"seconds": 0.0, "complete": True} if start == 0 else \
        checkpoints.train_time(workdir, start)
    if earlier is None:
        logging.warning("%s: no training time logged for step %d; the time this run took "
                        "will be reported as a lower bound.", workdir, start)
        earlier = {"seconds": 0.0, "complete": False}
    return lambda: (earlier["seconds"] + time.perf_counter() - session_start,
                    earlier["complete"])


def _check_frame_size(config, batch):
    """Raises ValueError unless `batch["video"]` (B, T, S, S, 3) has S = model.image_size."""
    frame_size = tuple(int(n) for n in batch["video"].shape[2:4])
    if frame_size != (int(config.model.image_size),) * 2:
        raise ValueError(f"config.model.image_size = {config.model.image_size}: the data's "
                         f"frames are {frame_size[0]}x{frame_size[1]}; set it to "
                         f"{frame_size[0]}")


def _train(config, workdir, make_dataset, strategy):
    train = config.train
    session_start = time.perf_counter()
    chief = distribute.is_chief(strategy)

    def dataset(split, batch_size, training, start_step=0):
        return make_dataset(config.data, split, batch_size=batch_size, seed=int(config.seed),
                            training=training, start_step=start_step,
                            data_dir=config.data.data_dir)

    keras.utils.set_random_seed(int(config.seed))
    with distribute.scope(strategy):
        try:
            method = methods.build_method(config)
        except ValueError:
            # A model too small to build at this size (Mathieu et al.'s at 16 px): if the
            # data's frames differ, that is the cause to name. The data is read only here,
            # so a model that builds is initialised exactly as before.
            _check_frame_size(config, next(iter(dataset("test", 1, False))))
            raise
    distribute.scale_to_global_batch(method, strategy)
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
    rng = tf.random.Generator.from_seed(int(config.seed))
    items = method.checkpoint_items()
    checkpoints.assert_fully_tracked(items)
    checkpoint = tf.train.Checkpoint(step=step, rng=rng, **items)
    manager = checkpoints.make_manager(checkpoint, workdir, int(train.keep_checkpoints))
    if manager.latest_checkpoint:
        checkpoints.restore(checkpoint, manager.latest_checkpoint).assert_consumed()
        logging.info("Resumed from %s at step %d.", manager.latest_checkpoint, int(step))
    if not distribute.is_default(strategy):
        logging.info("Training with %s.", distribute.describe(strategy))
    if not chief:  # saves with the chief (collectives), into a scratch folder
        scratch = distribute.worker_checkpoint_dir(strategy, workdir)
        manager = tf.train.CheckpointManager(checkpoint, scratch, max_to_keep=1)
    start = int(step)
    clock = _session_clock(workdir, start, session_start)

    eval_batch = next(iter(dataset("test", int(train.eval_batch_size), False)))
    _check_frame_size(config, eval_batch)
    evaluator = _Evaluator(method, eval_batch, config, workdir) if chief else lambda _: {}
    writer = tf.summary.create_file_writer(workdir) if chief else \
        tf.summary.create_noop_writer()
    result = {"step": start, "train": {}, "eval": {}}
    with writer.as_default():
        if start == 0 or method.train_step is None:
            result["eval"] = evaluator(start)
            logging.info("step %d eval: %s", start, _fmt(result["eval"]))
        if method.train_step is None:  # nothing to learn (constant baseline)
            path = manager.save(checkpoint_number=start)
            if not chief:
                tf.io.gfile.rmtree(os.path.dirname(path))
            return result
        if start >= train.num_steps:
            logging.info("Already trained %d >= %d steps.", start, train.num_steps)
            return result
        iterator = iter(distribute.distribute_dataset(
            strategy, make_dataset, config.data, global_batch_size=int(train.batch_size),
            seed=int(config.seed), start_step=start, data_dir=config.data.data_dir))
        train_loop = distribute.make_train_loop(strategy, method, step, rng,
                                                bool(train.jit_compile))
        frames_per_step = int(train.batch_size) * (int(eval_batch["video"].shape[1]) - 1)
        timer_start, timed_steps, first = None, 0, True
        while int(step) < train.num_steps:
            current = int(step)
            t0 = time.perf_counter()
            means, last, finite = train_loop(iterator, _next_boundary(current, config) - current)
            elapsed = time.perf_counter() - t0
            if not finite:
                writer.flush()
                bad = {k: v for k, v in last.items()}
                raise loop.NonFiniteLossError(
                    f"training step {int(step)} produced a non-finite loss ({_fmt(bad)}); "
                    f"stopped without saving. Last good checkpoint: "
                    f"{manager.latest_checkpoint or 'none'}")
            done = int(step) - current
            if first:  # the first call traces and compiles: keep it out of the rate
                logging.info("Compiled and ran %d steps in %.1fs.", done, elapsed)
                timer_start, first = time.perf_counter(), False
            else:
                timed_steps += done
            current = int(step)
            rate = timed_steps / max(time.perf_counter() - timer_start, 1e-9)
            for name, value in means.items():
                tf.summary.scalar(f"train/{name}", value, step=current)
            if timed_steps:
                tf.summary.scalar("train/steps_per_sec", done / elapsed, step=current)
                tf.summary.scalar("train/frames_per_sec", done * frames_per_step / elapsed,
                                  step=current)
            eta = (train.num_steps - current) / rate if timed_steps else float("nan")
            if timed_steps:
                logging.info("step %d/%d  %.2f steps/s  ETA %s  %s", current,
                             train.num_steps, rate, _duration(eta), _fmt(means))
            else:  # the first call's rate would count its tracing and compilation
                logging.info("step %d/%d  %s", current, train.num_steps, _fmt(means))
            result.update(step=current, train=means)
            if current % train.eval_every == 0 or current == train.num_steps:
                result["eval"] = evaluator(current)
                logging.info("step %d eval: %s", current, _fmt(result["eval"]))
            if current % train.checkpoint_every == 0 or current == train.num_steps:
                path = manager.save(checkpoint_number=current)
                if chief:
                    checkpoints.record_train_time(workdir, current, *clock())
                    logging.info("Saved %s.", path)
                else:
                    tf.io.gfile.rmtree(os.path.dirname(path))
            writer.flush()
    return result


def _fmt(values):
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())


def _duration(seconds):
    if seconds != seconds:  # NaN: no rate yet
        return "?"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
