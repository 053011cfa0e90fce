"""Synthetic data throughput: the renderer (one process, all cores) and a TFDS build.

    python benchmarks/synthetic_benchmark.py [--patterns=eight --num=4096 --build_num=2000
        --workers=0 --repeats=3]

(with cinegen_tf installed, `pip install -e .`, or PYTHONPATH=. from the repo root).

For each pattern it prints:

- render, 1 process: `synthetic.render_batch` of --num sequences in chunks of 64
  (sequences/s, median of --repeats);
- render, all cores: `synthetic_parallel.iter_examples` over the same range with
  --workers processes (0: every usable core);
- TFDS build: `Builder.download_and_prepare` of a config with --build_num train and
  --build_num / 19 test sequences into a temporary data_dir (what `tfds build` runs:
  render, encode, serialize, write, shuffle), in sequences/s, and its bytes on disk per
  sequence (the TFRecord files, so the paper's 100K per pattern extrapolate from it).

Peak resident memory of this process is printed at the end (pool workers excluded).
Timings on a shared CPU are noisy: compare runs made back to back.
"""
import os
import resource
import shutil
import statistics
import tempfile
import time

from absl import app
from absl import flags
from absl import logging

_PATTERNS = flags.DEFINE_list("patterns", ["eight"], "Motion patterns to time.")
_NUM = flags.DEFINE_integer("num", 4096, "Sequences rendered per timed repeat.")
_BUILD_NUM = flags.DEFINE_integer("build_num", 2000, "Train sequences of the timed TFDS "
                                  "build (0: skip the build).")
_WORKERS = flags.DEFINE_integer("workers", 0, "Processes for the all-cores render and the "
                                "build (0: every usable core).")
_REPEATS = flags.DEFINE_integer("repeats", 3, "Timed repeats of each render measurement.")
_CHUNK = 64


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _median_rate(fn, count, repeats):
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t0)
    return count / statistics.median(seconds)


def _render_one_process(pattern, num):
    from cinegen_tf.data import synthetic

    for start in range(0, num, _CHUNK):
        synthetic.render_batch(pattern, 0, "train", start, min(_CHUNK, num - start))


def _render_all_cores(pattern, num, workers):
    from cinegen_tf.data import synthetic_parallel

    for _ in synthetic_parallel.iter_examples(pattern, 0, "train", 0, num,
                                              num_workers=workers):
        pass


def _build(pattern, num_train, workers):
    """Seconds of one TFDS build, sequences written, and bytes of its TFRecord files."""
    import tensorflow_datasets as tfds

    from cinegen_datasets.synthetic_cinemagraphs import synthetic_cinemagraphs_dataset_builder as lib

    tfds.disable_progress_bar()
    num_test = max(1, num_train // 19)  # the paper's 95/5 ratio
    config = lib.SyntheticCinemagraphsConfig(name=f"{pattern}_bench", pattern=pattern,
                                             num_train=num_train, num_test=num_test,
                                             num_workers=workers)
    data_dir = tempfile.mkdtemp(prefix="synthetic_benchmark_")
    try:
        builder = lib.Builder(config=config, data_dir=data_dir)
        t0 = time.perf_counter()
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(verify_ssl=False))
        seconds = time.perf_counter() - t0
        size = sum(os.path.getsize(os.path.join(root, name))
                   for root, _, names in os.walk(data_dir) for name in names
                   if ".tfrecord" in name)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return seconds, num_train + num_test, size


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    from cinegen_tf.data import synthetic, synthetic_parallel

    logging.set_verbosity(logging.WARNING)
    if _NUM.value < 1 or _REPEATS.value < 1 or _BUILD_NUM.value < 0 or _WORKERS.value < 0:
        raise app.UsageError("--num and --repeats must be >= 1, --build_num and --workers >= 0")
    workers = _WORKERS.value or synthetic_parallel.default_num_workers()
    for pattern in _PATTERNS.value:
        synthetic.validate_pattern(pattern)
        synthetic.render_batch(pattern, 0, "train", 0, 1)  # textures loaded, caches warm
        one = _median_rate(lambda: _render_one_process(pattern, _NUM.value), _NUM.value,
                           _REPEATS.value)
        print(f"{pattern}: render, 1 process: {one:.0f} sequences/s "
              f"({one * synthetic.PADDED_LENGTHS[pattern]:.0f} frames/s)", flush=True)
        many = _median_rate(lambda: _render_all_cores(pattern, _NUM.value, workers),
                            _NUM.value, _REPEATS.value)
        print(f"{pattern}: render, {workers} processes: {many:.0f} sequences/s", flush=True)
        if _BUILD_NUM.value:
            seconds, count, size = _build(pattern, _BUILD_NUM.value, workers)
            per = size / count
            print(f"{pattern}: TFDS build of {count} sequences ({workers} render processes): "
                  f"{seconds:.1f} s = {count / seconds:.0f} sequences/s; {per / 1024:.1f} KiB "
                  f"per sequence on disk (100K sequences: {per * 1e5 / 2**30:.2f} GiB)",
                  flush=True)
    print(f"peak RSS of this process: {_peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    app.run(main)
