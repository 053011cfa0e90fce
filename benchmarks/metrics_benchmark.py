"""Throughput of the evaluation metrics: PSNR/SSIM in sequences/s, centre distance in frames/s.

    python benchmarks/metrics_benchmark.py [--batch_size=64 --num_frames=27 --num_batches=5]

(with cinegen_tf installed, `pip install -e .`, or PYTHONPATH=. from the repo root).

Data are random synthetic-like sequences (a textured background with a moving solid
rectangle), shaped like a synthetic test batch: (B, T, 64, 64, 3) in [-1, 1]. The first
batch of each metric is a warm-up (tf.function tracing) and is not timed; the timed
batches repeat one batch. Centre distance counts scored frames (t < length). Prints
throughput and the process's peak resident memory.
"""
import resource
import time

from absl import app
from absl import flags
import numpy as np

from cinegen_tf.evaluation import centre_distance
from cinegen_tf.evaluation import metrics

_BATCH_SIZE = flags.DEFINE_integer("batch_size", 64, "Sequences per batch.")
_NUM_FRAMES = flags.DEFINE_integer("num_frames", 27, "Frames per sequence (I pattern: 27).")
_NUM_BATCHES = flags.DEFINE_integer("num_batches", 5, "Timed batches per metric.")
_IMAGE_SIZE = flags.DEFINE_integer("image_size", 64, "Frame height and width.")
_WORKERS = flags.DEFINE_integer("fft_workers", 1, "scipy.fft threads for centre distance.")


def make_batch(rng, batch_size, num_frames, size):
    """Random sequences: background texture + a 12x16 rectangle drifting right/down."""
    background = rng.uniform(-0.6, 0.6, (batch_size, 1, size, size, 3)).astype(np.float32)
    video = np.repeat(background, num_frames, axis=1)
    mask = np.zeros((batch_size, num_frames, size, size, 1), np.uint8)
    centers = np.zeros((batch_size, num_frames, 2), np.float32)
    colours = rng.uniform(-1, 1, (batch_size, 3)).astype(np.float32)
    for t in range(num_frames):
        top, left = (t * 2) % (size - 12), (t * 3) % (size - 16)
        mask[:, t, top:top + 12, left:left + 16] = 1
        video[:, t, top:top + 12, left:left + 16] = colours[:, None, None, :]
        centers[:, t] = (top + 5.5, left + 7.5)
    noise = rng.normal(0, 0.05, video.shape).astype(np.float32)
    pred = np.clip(video + noise, -1, 1)
    length = rng.integers(num_frames // 2, num_frames + 1, batch_size)
    return pred, video, mask, centers, length


def time_batches(function, warmup, batch, num_batches):
    """Calls function(*warmup) untimed, then times num_batches calls on batch: seconds."""
    function(*warmup)
    start = time.perf_counter()
    for _ in range(num_batches):
        function(*batch)
    return time.perf_counter() - start


def run(batch_size, num_frames, num_batches, image_size, fft_workers):
    rng = np.random.default_rng(0)
    warmup, batch = (make_batch(rng, batch_size, num_frames, image_size) for _ in range(2))
    sequences = batch_size * num_batches
    for frame_diff in (False, True):
        accumulator = metrics.SequenceMetrics(frame_diff=frame_diff)
        seconds = time_batches(lambda p, v, m, c, l: accumulator.update(p, v, l), warmup, batch,
                               num_batches)
        label = "PSNR+SSIM+frame-diff" if frame_diff else "PSNR+SSIM"
        print(f"{label:22s} {sequences / seconds:8.1f} sequences/s "
              f"({sequences * (num_frames - 1) / seconds:8.0f} frames/s scored + padding)")
    distance = centre_distance.CentreDistance(workers=fft_workers)
    seconds = time_batches(distance.update, warmup, batch, num_batches)
    frames = num_batches * int(np.sum(batch[4] - 1))
    print(f"{'centre distance':22s} {frames / seconds:8.1f} frames/s "
          f"({sequences / seconds:6.1f} sequences/s)")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak_mib:.0f} MiB")


def main(argv):
    del argv
    run(_BATCH_SIZE.value, _NUM_FRAMES.value, _NUM_BATCHES.value, _IMAGE_SIZE.value,
        _WORKERS.value)


if __name__ == "__main__":
    app.run(main)
