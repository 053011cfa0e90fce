"""Decode + sample throughput of the real-cinemagraph builder's work, without TFDS.

    python benchmarks/real_builder_benchmark.py [--manual_dir=../shared/data/real_clips]
        [--workers=2] [--repeats=3] [--size=72] [--noseek]

The training set: --manual_dir=../shared/data/real_cinemagraphs (83 sources, 223 clips).

Runs what `datasets/real_cinemagraphs` does before writing records: list the sources
of every category (`real_sources.find_sources`), probe them and plan their clips
(`plan_sources`), then decode the 6 frames of every clip (`sample_sources`), all in
`--workers` threads. Prints, per repeat, the seconds of each stage and clips/s over
both, then the median, and the process's peak resident memory (the process imports
neither TensorFlow nor TFDS, so the baseline is small; it is printed too).
Timings on a shared CPU are noisy: compare runs made back to back.
"""
import resource
import statistics
import time

from absl import app
from absl import flags

from cinegen_tf.data import real_sources

_MANUAL_DIR = flags.DEFINE_string("manual_dir", "../shared/data/real_clips",
                                  "Folder with water_flowing/ (or water/) and fire/.")
_WORKERS = flags.DEFINE_integer("workers", 2, "Decoding threads (1: sequential).")
_REPEATS = flags.DEFINE_integer("repeats", 3, "Timed passes over the folder.")
_SIZE = flags.DEFINE_integer("size", real_sources.FRAME_SIZE, "Stored frame side in pixels.")
_SEEK = flags.DEFINE_boolean("seek", True, "Let video decoding seek over long gaps.")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def run_once(manual_dir, workers, size, seek):
    """One pass: returns (seconds to find + plan, seconds to sample, sources, clips, skips)."""
    log = real_sources.SkipLog()
    t0 = time.perf_counter()
    sources = real_sources.find_sources(manual_dir, real_sources.CATEGORIES, log)
    plans = real_sources.plan_sources(sources, log, workers)
    t1 = time.perf_counter()
    num_clips = sum(1 for _ in real_sources.sample_sources(plans, log, size, workers, seek))
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(sources), num_clips, log.skips()


def main(argv):
    del argv
    if _WORKERS.value < 1 or _REPEATS.value < 1:
        raise app.UsageError("--workers and --repeats must be >= 1")
    baseline = _peak_rss_mib()
    totals = []
    for repeat in range(_REPEATS.value):
        plan_s, sample_s, sources, clips, skips = run_once(
            _MANUAL_DIR.value, _WORKERS.value, _SIZE.value, _SEEK.value)
        total = plan_s + sample_s
        totals.append(total)
        print(f"repeat {repeat}: {sources} sources -> {clips} clips, {len(skips)} skipped; "
              f"probe+plan {plan_s:.3f} s, decode+sample {sample_s:.3f} s; "
              f"{clips / total:.1f} clips/s, {sources / total:.1f} sources/s")
    median = statistics.median(totals)
    print(f"median: {median:.3f} s per pass = {clips / median:.1f} clips/s "
          f"(workers={_WORKERS.value}, size={_SIZE.value}, seek={_SEEK.value})")
    print(f"peak RSS: {_peak_rss_mib():.0f} MiB (after imports: {baseline:.0f} MiB)")
    for skip in skips:
        print(f"skipped {skip.path}: {skip.reason}")


if __name__ == "__main__":
    app.run(main)
