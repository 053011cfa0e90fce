"""Scores trained runs on a held-out split and writes DIR/result.json (Sec. 5, Tables 1-5).

    run(workdir=DIR)                      latest checkpoint of a training run
    run(checkpoint=DIR/checkpoints/ckpt-600)
    run(workdir=DIR, follow=True)         every new checkpoint of a run still training
    run(config=constant_config, workdir=OUT)   a method without weights (constant)

For every checkpoint: the generator is rebuilt from DIR/config.json, given frame 0 of each
test sequence and asked for the T - 1 frames after it with the greedy policy (DQN epsilon
0, temperature 0; Mathieu and constant roll out their own outputs). Frames 1 .. length - 1
are scored (`metrics.SequenceMetrics`: PSNR/SSIM on frames and frame differences) and, on
synthetic data, the object-centre distance (`centre_distance.CentreDistance`, Table 4).
Generation is causal, so the frames before `length` do not depend on the padding after it;
padding frames are not scored unless `include_padding`.

DIR/result.json (`result_file.py`) holds one entry per evaluated checkpoint step
(metrics, per-step curves, counts), the data description and the seeds; it is rewritten
atomically after each checkpoint, keeping the entries of earlier steps evaluated with the
same settings.
TensorBoard scalars go to DIR/eval_<split>/ as "<split>/<metric>".
"""
import os
import time

from absl import logging
import keras
import ml_collections
import numpy as np
import tensorflow as tf

from cinegen_tf.data import pipeline
from cinegen_tf.evaluation import centre_distance, ghost, metrics, result_file
from cinegen_tf.training import checkpoints, config_lib, methods


def checkpoint_step(prefix):
    """The step a CheckpointManager prefix ".../ckpt-<step>" was saved at: int."""
    name = os.path.basename(os.fspath(prefix))
    try:
        return int(name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        raise ValueError(f"checkpoint prefix {prefix!r} does not end in -<step>") from None


def make_generate(generator, config):
    """A compiled generate(images (B, S, S, 3), num_frames) -> float32 (B, num_frames, S, S, 3)."""
    if config.method in ("rnn", "rnn_dqn", "layered"):
        def generate(images, num_frames):
            return generator(images, num_frames=num_frames, training=False)["frames"]
    else:
        generate = generator.rollout
    compiled = tf.function(generate, reduce_retracing=True)
    return lambda images, num_frames: tf.cast(compiled(images, num_frames), tf.float32)


def evaluate_generator(generate, dataset, *, max_sequences=None, include_padding=False,
                       with_centre_distance=True):
    """Scores `generate` on every batch of `dataset` (up to `max_sequences` sequences).

    Args:
      generate: generate(images, num_frames) as from `make_generate`.
      dataset: batches {"video": float32 (B, T, S, S, 3) in [-1, 1], "length": int32 (B,)
        (T if absent), and for centre distance "mask" (B, T, S, S, 1), "centers" (B, T, 2)}.
      max_sequences: stop after this many sequences (None: the whole dataset).
      include_padding: also score frames at or after `length`.
      with_centre_distance: compute it when the batches carry "mask" and "centers".

    Returns:
      dict: "metrics" (scalar means), "per_step" (curves, entry t - 1 for frame t),
      "counts", "centre_distance" (or None) and with it "ghost" (evaluation/ghost.py);
      all JSON-ready.
    """
    scores = metrics.SequenceMetrics(include_padding=include_padding)
    distance = centre_distance.CentreDistance(include_padding=include_padding)
    ghosts = ghost.Ghost(include_padding=include_padding)
    used_distance, seen, sequence_length = False, 0, None
    for batch in dataset:
        video = np.asarray(batch["video"], np.float32)
        if max_sequences is not None:
            video = video[:max_sequences - seen]
        count, num_frames = video.shape[:2]
        length = (np.asarray(batch["length"])[:count] if "length" in batch
                  else np.full((count,), num_frames, np.int32))
        generated = generate(tf.convert_to_tensor(video[:, 0]), num_frames - 1).numpy()
        scores.update(generated, video, length)
        if with_centre_distance and "mask" in batch and "centers" in batch:
            mask = np.asarray(batch["mask"])[:count]
            distance.update(generated, video, mask, np.asarray(batch["centers"])[:count],
                            length)
            ghosts.update(generated, video, mask, length)
            used_distance = True
        seen += count
        sequence_length = max(sequence_length or 0, num_frames)
        if max_sequences is not None and seen >= max_sequences:
            break
    if seen == 0:
        raise ValueError("the evaluation dataset is empty")
    result = scores.result()
    out = {"metrics": {k: result[k] for k in scores.names},
           "per_step": {k + "_per_step": result[k + "_per_step"] for k in scores.names},
           "counts": {k: v for k, v in result.items() if k.startswith("num_")},
           "centre_distance": None}
    out["per_step"]["frames_per_step"] = result["frames_per_step"]
    out["counts"]["sequence_length"] = sequence_length
    if used_distance:
        d = distance.result()
        out["centre_distance"] = {k: d[k] for k in ("mean_distance", "num_frames", "num_matched",
                                                     "num_no_match", "no_match_rate",
                                                     "mean_distance_per_step",
                                                     "num_no_match_per_step")}
        out["ghost"] = ghosts.result()
    return result_file.jsonable(out)


def _write_scalars(out_dir, split, step, entry):
    writer = tf.summary.create_file_writer(os.path.join(out_dir, f"eval_{split}"))
    with writer.as_default():
        for name, value in entry["metrics"].items():
            tf.summary.scalar(f"{split}/{name}", value, step=step)
        if entry["centre_distance"] and entry["centre_distance"]["mean_distance"] is not None:
            tf.summary.scalar(f"{split}/centre_distance",
                              entry["centre_distance"]["mean_distance"], step=step)
    writer.close()


class _Job:
    """One evaluation setting: where results go, which data, how it is scored."""

    def __init__(self, out_dir, split, num_sequences, batch_size, data_seed, include_padding,
                 make_dataset, overwrite):
        if split is None or not str(split).strip():
            raise ValueError(f"split must be a non-empty split name, got {split!r}")
        if num_sequences is not None and int(num_sequences) < 1:
            raise ValueError(f"num_sequences must be >= 1 (or None for all), got {num_sequences}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.out_dir, self.split = out_dir, str(split)
        self.num_sequences, self.batch_size = num_sequences, int(batch_size)
        self.data_seed, self.include_padding = data_seed, bool(include_padding)
        self.make_dataset = make_dataset or pipeline.make_dataset
        self.overwrite = overwrite

    def evaluate(self, generator, config, step, prefix):
        """Scores one generator; adds it to result.json and TensorBoard; returns the result."""
        data_seed = int(config.seed if self.data_seed is None else self.data_seed)
        eval_settings = result_file.settings(config, self.split, self.num_sequences,
                                             self.batch_size, data_seed, self.include_padding)
        old = result_file.read_result(self.out_dir)
        if not self.overwrite and str(step) in result_file.scored_steps(old, eval_settings):
            logging.info("%s: step %d already evaluated with these settings.", self.out_dir, step)
            return old
        data_config = ml_collections.ConfigDict(config.data.to_dict())
        if self.num_sequences is not None:
            # The procedural test source renders this many fixed sequences (data/pipeline.py).
            data_config.num_test_sequences = int(self.num_sequences)
        dataset = self.make_dataset(data_config, self.split, batch_size=self.batch_size,
                                    seed=data_seed, training=False,
                                    data_dir=data_config.get("data_dir"))
        start = time.perf_counter()
        entry = evaluate_generator(make_generate(generator, config), dataset,
                                   max_sequences=self.num_sequences,
                                   include_padding=self.include_padding,
                                   with_centre_distance=config.data.name == "synthetic")
        entry.update(step=int(step), checkpoint=prefix,
                     eval_seconds=round(time.perf_counter() - start, 2))
        result = result_file.record(self.out_dir, config, eval_settings, step, entry)
        _write_scalars(self.out_dir, self.split, step, entry)
        m = entry["metrics"]
        logging.info("%s step %d: %d sequences, PSNR %.3f SSIM %.4f, frame-diff PSNR %.3f "
                     "SSIM %.4f (%.1fs)", self.out_dir, step, entry["counts"]["num_clips"],
                     m["psnr"], m["ssim"], m.get("frame_diff_psnr", float("nan")),
                     m.get("frame_diff_ssim", float("nan")), entry["eval_seconds"])
        return result

    def evaluate_prefix(self, prefix):
        generator, config = checkpoints.load_generator(prefix)
        return self.evaluate(generator, config, checkpoint_step(prefix), prefix)


def run(*, workdir=None, checkpoint=None, config=None, split="test", follow=False,
        timeout_s=3600, min_interval_s=10, num_sequences=None, batch_size=32, data_seed=None,
        include_padding=False, overwrite=True, make_dataset=None):
    """Evaluates a run's checkpoint(s), or a weightless method, into result.json.

    Args:
      workdir: a training workdir (its latest checkpoint, or every new one with `follow`);
        with `checkpoint` or `config`, the folder result.json goes to instead.
      checkpoint: a checkpoint prefix (or workdir) to evaluate; result.json goes to
        `workdir` if given, else to the checkpoint's workdir.
      config: a training ConfigDict of a method without weights ("constant"); needs
        `workdir` for the output (its config.json is written there if absent).
      split: the data split to score, "test" by default.
      follow: keep evaluating new checkpoints of `workdir` until one at
        config.train.num_steps was scored or none appeared for `timeout_s` seconds.
      timeout_s, min_interval_s: follow mode's patience and polling interval.
      num_sequences: score only the first this many sequences (None: the whole split;
        the procedural synthetic test source renders exactly this many).
      batch_size: sequences per generation batch.
      data_seed: seed of the test data (None: the run's config.seed).
      include_padding: also score padding frames (default: not).
      overwrite: re-evaluate steps result.json already holds with the same settings.
      make_dataset: the data pipeline (cinegen_tf.data.pipeline.make_dataset by default).

    Returns:
      the result dict as written to result.json (None if follow saw no checkpoint).
    """
    if sum(x is not None for x in (checkpoint, config)) > 1:
        raise ValueError("give at most one of checkpoint and config")
    if checkpoint is None and config is None and workdir is None:
        raise ValueError("give a workdir, a checkpoint, or a config of a weightless method")
    previous_policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("float32")  # score at full precision
    try:
        if config is not None:
            config_lib.validate_config(config)
            if config.method != "constant":
                raise ValueError(f"config.method = {config.method!r} has trained weights: "
                                 f"evaluate its training workdir or a checkpoint instead")
            if workdir is None:
                raise ValueError("evaluating a config needs a workdir for result.json")
            os.makedirs(workdir, exist_ok=True)
            if not os.path.isfile(os.path.join(workdir, checkpoints.CONFIG_FILE)):
                checkpoints.write_config(config, workdir)
            job = _Job(workdir, split, num_sequences, batch_size, data_seed, include_padding,
                       make_dataset, overwrite)
            return job.evaluate(methods.build_generator(config), config, 0, None)
        if checkpoint is not None:
            prefix, run_dir = checkpoints.resolve_checkpoint(checkpoint)
            job = _Job(workdir or run_dir, split, num_sequences, batch_size, data_seed,
                       include_padding, make_dataset, overwrite)
            return job.evaluate_prefix(prefix)
        job = _Job(workdir, split, num_sequences, batch_size, data_seed, include_padding,
                   make_dataset, overwrite)
        if not follow:
            return job.evaluate_prefix(checkpoints.resolve_checkpoint(workdir)[0])
        return _follow(job, workdir, timeout_s, min_interval_s)
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


def _follow(job, workdir, timeout_s, min_interval_s):
    """Evaluates each new checkpoint of `workdir` until the final one (or a timeout)."""
    num_steps = checkpoints.read_config(workdir).train.num_steps
    result = None
    folder = checkpoints.checkpoint_dir(workdir)
    for prefix in tf.train.checkpoints_iterator(folder, min_interval_secs=min_interval_s,
                                                timeout=timeout_s):
        try:
            result = job.evaluate_prefix(prefix)
        except (FileNotFoundError, tf.errors.NotFoundError) as e:
            # CheckpointManager may delete an old checkpoint while we read it.
            logging.warning("skipping %s, removed while evaluating: %s", prefix, e)
            continue
        if checkpoint_step(prefix) >= num_steps:
            break
    else:
        logging.info("no new checkpoint in %s for %ds; stopping.", folder, timeout_s)
    return result
