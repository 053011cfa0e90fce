"""The bundled motion model (ours, not in the paper) as a row of the real-data tables
(`tables.MOTION`, `--rows=motion`): nothing to train; each test clip's frame 0 is
animated and scored like every other row, into result.json and a run record like any
run's (experiments/reproduce.py), whose "weights" say which weights file it scored.
"""
import hashlib
import os
import time

from absl import logging
import numpy as np
import tensorflow as tf

from cinegen_tf.data import pipeline
from cinegen_tf.evaluation import eval_lib
from experiments import tables


def motion_weights():
    """What the bundled motion model's weights are: {"file", "sha256", "meta"} (the file's
    training record: command, steps, seed, code version, losses)."""
    from cinegen_tf.motion import model  # pylint: disable=import-outside-toplevel

    with open(model.BUNDLED_WEIGHTS, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {"file": os.path.relpath(model.BUNDLED_WEIGHTS, root), "sha256": digest,
            "meta": model.load_bundled().meta}


def real_clip_lengths(category, data_dir):
    """{(source, clip_index): clip_length in seconds} of the prepared test split."""
    import tensorflow_datasets as tfds

    from cinegen_tf.data import real_pipeline

    builder = real_pipeline.prepared_builder(category, data_dir)
    examples = builder.as_dataset(split="test", decoders={"video": tfds.decode.SkipDecoding()})
    return {(ex["source"], int(ex["clip_index"])): float(ex["clip_length"])
            for ex in tfds.as_numpy(examples)}


def evaluate_motion(config, workdir, num_sequences, batch_size, make_dataset=None):
    """Scores the bundled motion model on the real test clips -> result dict (result.json).

    Each clip's frame 0 (uint8, the pipeline's centre crop) is animated with
    `animate(photo, num_frames=T, fps=T / clip_length, seed=0)` (its T frames span the
    clip's `clip_length` seconds; from the batch, else from the prepared data by source and
    clip), and frames 1 .. T - 1 are scored by `eval_lib.evaluate_generator`, as every other
    row. result.json (step 0) is kept while the weights (sha256) and settings are unchanged.
    """
    from cinegen_tf.evaluation import result_file
    from cinegen_tf.motion import model

    weights = motion_weights()
    seed = int(config.seed)
    eval_settings = dict(result_file.settings(config, "test", num_sequences, batch_size, seed,
                                              False),
                         policy="the bundled motion model: animate(frame 0, num_frames=T, "
                                "fps=T / clip_length, seed=0)",
                         weights_sha256=weights["sha256"])
    old = result_file.read_result(workdir)
    if "0" in result_file.scored_steps(old, eval_settings):
        logging.info("%s: already evaluated with these weights and settings.", workdir)
        return old
    animator = model.load_bundled()
    dataset = (make_dataset or pipeline.make_dataset)(
        config.data, "test", batch_size=batch_size, seed=seed, training=False,
        data_dir=config.data.get("data_dir"))
    lengths, pending = {}, []

    def clip_seconds(batch):
        if "clip_length" in batch:
            return [float(s) for s in np.asarray(batch["clip_length"])]
        if not lengths:
            lengths.update(real_clip_lengths(config.data.category, config.data.get("data_dir")))
        return [lengths[(source, int(index))] for source, index in
                zip(np.asarray(batch["source"]), np.asarray(batch["clip_index"]))]

    def batches():  # evaluate_generator calls generate once per batch, in this order
        for batch in dataset:
            pending[:] = clip_seconds(batch)
            yield batch

    def generate(images, num_frames):
        photos = np.clip(np.rint((np.asarray(images, np.float32) + 1.0) * 127.5), 0, 255
                         ).astype(np.uint8)  # the stored uint8 frame 0
        frames = [animator.animate(photo, num_frames=num_frames + 1,
                                   fps=(num_frames + 1) / seconds, seed=0)[1:]
                  for photo, seconds in zip(photos, pending)]
        return tf.convert_to_tensor(np.stack(frames).astype(np.float32) / 127.5 - 1.0)

    start = time.perf_counter()
    entry = eval_lib.evaluate_generator(generate, batches(), max_sequences=num_sequences,
                                        with_centre_distance=False)
    entry.update(step=0, checkpoint=None, weights=weights,
                 eval_seconds=round(time.perf_counter() - start, 2))
    os.makedirs(workdir, exist_ok=True)
    result = result_file.record(workdir, config, eval_settings, 0, entry)
    m = entry["metrics"]
    logging.info("%s: %d clips, PSNR %.3f SSIM %.4f, frame-diff PSNR %.3f SSIM %.4f (%.1fs)",
                 workdir, entry["counts"]["num_clips"], m["psnr"], m["ssim"],
                 m["frame_diff_psnr"], m["frame_diff_ssim"], entry["eval_seconds"])
    return result


def weights_notes(records):
    """A line per weights file that runs ({tables.Run: record}) were scored with as shipped
    (the bundled motion model, tables.MOTION): which file, its hash and how it was made."""
    by_hash = {}
    for run, r in records.items():
        if r.get("weights"):
            by_hash.setdefault(r["weights"]["sha256"], (r["weights"], []))[1].append(run.name)
    lines = []
    for digest, (weights, names) in by_hash.items():
        meta = weights.get("meta", {})
        made = ", ".join(f"{k} {meta[k]}" for k in ("steps", "batch_size", "seed",
                                                     "code_version") if k in meta)
        lines.append(
            f"{tables.MOTION.label}: no training: the bundled weights, see "
            f"cinegen_tf/motion/MODEL_CARD.md ({weights['file']}, sha256 {digest[:12]}; "
            f"trained on {meta.get('data', 'data not recorded')}: {made}). Each test clip's "
            f"frame 0 is animated to T frames at T / clip_length fps, seed 0, and scored like "
            f"the other rows ({', '.join(names)}).")
    return lines
