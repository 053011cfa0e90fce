"""Speed of photo -> cinemagraph: model, full-resolution compositing and file encoding.

    python benchmarks/cinemagraph_benchmark.py                   # the bundled motion model
    python benchmarks/cinemagraph_benchmark.py --model=checkpoint [--repeats=5 --num_frames=21
        --loop=crossfade --width=1920 --height=1080 --mask_fraction=0.3]
        [--checkpoint=runs/eight_rnn_dqn]

(with cinegen_tf installed, `pip install -e .`, or PYTHONPATH=. from the repo root).

--model=motion (default): the bundled motion model (ours, not in the paper), 1920x1080
and 640x360 photos -> 2-second MP4s from the command line (a fresh process each time:
start-up and model load included) with the child's peak RSS, then each stage in-process
and the encoders (benchmarks/motion_stages.py).

--model=checkpoint: a trained generator. The model is loaded the way `python -m cinegen_tf.generate` loads it
(`checkpoints.load_generator`): from --checkpoint, or by default from a temporary workdir
holding an untrained RNN+DQN of `config_lib.base_config()` (the paper's synthetic model:
z_dim 64, 64 actions, 64x64 frames; random weights, saved as ckpt-1). The photo is a
synthetic smooth gradient + noise (uint8, --width x --height). Every measurement makes one
untimed call first (tf.function tracing, XLA compilation, codec set-up), then prints the
median of --repeats calls, in ms. Printed first: the model, the loop length (N = 21
gives 16 frames with the default crossfade), the time of `load_generator` and of the
first, tracing call; then one line each:

- model resolution (`generate_cinemagraph(..., full_resolution=False)`), from a 64x64
  photo and from the full-size photo (which is still area-resized inside the graph);
- a 64x64 GIF end to end from the photo array: `generate_cinemagraph` +
  `write_cinemagraph`, the two calls `generate_lib.run` (the `generate` binary) makes per
  photo; and `generate_lib.run` itself (it takes file paths only: PNG written beforehand
  -> GIF), which reloads the checkpoint and retraces the graph on every call;
- full resolution (model + compositing, no encoding), without a mask and with a
  full-size user mask covering --mask_fraction of the photo (the bottom rows, like water).
  Compositing never skips static pixels (every frame is composited whole, see
  inference/compositing.py), so its cost does not depend on what random weights predict;
  a mask at the photo's size is used as it is (no resampling);
- encoding (`writers.write_cinemagraph`) of the full-size and of the 64x64 frames as GIF,
  MP4 and WebP, into a temporary folder that is removed, with the file sizes. An untrained
  generator's frames after the first are an almost flat grey (printed: the mean change
  between frames), so MP4/WebP, which code only what changes, and the 64x64 encodings are
  cheaper than for a trained model's motion: time those with --checkpoint;
- the same with `frozen=True` (inference/frozen_rollout.py: weights as graph constants,
  sub-pixel decoder), after its own first call, which is printed;
- the process's peak resident memory.
Timings on a shared CPU are noisy: compare runs made back to back.
"""
import os
import resource
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from absl import app  # noqa: E402
from absl import flags  # noqa: E402
from absl import logging  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from cinegen_tf.inference import generate_lib, looping, writers  # noqa: E402
from cinegen_tf.inference.options import CinemagraphOptions  # noqa: E402

_MODEL = flags.DEFINE_enum("model", "motion", ["motion", "checkpoint"], "The bundled motion "
                           "model, or a trained generator (--checkpoint or an untrained one).")

_REPEATS = flags.DEFINE_integer("repeats", 5, "Timed calls per measurement (median shown).")
_NUM_FRAMES = flags.DEFINE_integer("num_frames", 21, "The photo + generated frames, N.")
_LOOP = flags.DEFINE_enum("loop", "crossfade", list(looping.LOOP_MODES), "Loop mode.")
_WIDTH = flags.DEFINE_integer("width", 1920, "Photo width in pixels.")
_HEIGHT = flags.DEFINE_integer("height", 1080, "Photo height in pixels.")
_MASK_FRACTION = flags.DEFINE_float("mask_fraction", 0.3, "Share of the photo the user "
                                    "mask lets move (the bottom rows).")
_CHECKPOINT = flags.DEFINE_string("checkpoint", None, "A trained workdir or checkpoint "
                                  "prefix; default: an untrained model of base_config().")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def make_photo(height, width, seed=0):
    """A smooth diagonal colour gradient plus Gaussian noise, uint8 (height, width, 3)."""
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.linspace(0.0, 1.0, height, dtype=np.float32),
                       np.linspace(0.0, 1.0, width, dtype=np.float32), indexing="ij")
    photo = np.stack([255 * x, 255 * y, 127.5 * (x + y)], axis=-1)
    photo += rng.normal(0.0, 8.0, photo.shape).astype(np.float32)
    return np.clip(photo, 0, 255).round().astype(np.uint8)


def make_mask(height, width, fraction):
    """uint8 (height, width): 255 on the bottom `fraction` of the rows, 0 above."""
    mask = np.zeros((height, width), np.uint8)
    mask[height - int(round(fraction * height)):] = 255
    return mask


def save_untrained_workdir(workdir):
    """Writes config.json + checkpoints/ckpt-1 of base_config()'s untrained generator."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from cinegen_tf.training import checkpoints, config_lib, methods  # pylint: disable=import-outside-toplevel
    tf.keras.utils.set_random_seed(0)
    config = config_lib.base_config()
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(generator=methods.build_generator(config))
    checkpoints.make_manager(checkpoint, workdir, max_to_keep=1).save(checkpoint_number=1)


def timed_ms(function, repeats):
    """One untimed call, then the median ms of `repeats` calls; returns (ms, last result)."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(1000.0 * (time.perf_counter() - start))
    return statistics.median(times), result


def run(workdir, tmp, repeats, num_frames, loop, height, width, mask_fraction):
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from cinegen_tf.inference import trained_generator as cinemagraph  # pylint: disable=import-outside-toplevel
    from cinegen_tf.training import checkpoints  # pylint: disable=import-outside-toplevel
    start = time.perf_counter()
    generator, config = checkpoints.load_generator(workdir)
    load_ms = 1000.0 * (time.perf_counter() - start)
    model = config.model
    length = looping.loop_length(num_frames, loop)
    print(f"model: {config.method} z_dim={model.z_dim} num_actions={model.num_actions} "
          f"{model.image_size}x{model.image_size}; N={num_frames} -> {length} loop frames "
          f"({loop}); load_generator {load_ms:.0f} ms; tf {tf.__version__}, "
          f"{os.cpu_count()} CPUs")
    size = int(model.image_size)
    photo, small = make_photo(height, width), make_photo(size, size)
    mask = make_mask(height, width, mask_fraction)

    def generate(image, full_resolution, user_mask=None, frozen=False):
        return cinemagraph.generate_cinemagraph(
            generator, image, num_frames, loop, user_mask, full_resolution, image_size=size,
            frozen=frozen)

    first = time.perf_counter()
    generate(small, False)
    print(f"first call (trace, model resolution): {1000 * (time.perf_counter() - first):.0f} ms")
    label = f"{size}x{size} frames"
    ms, _ = timed_ms(lambda: generate(small, False), repeats)
    print(f"model resolution, {size}x{size} photo -> {label}: {ms:8.1f} ms/cinemagraph")
    ms, result = timed_ms(lambda: generate(photo, False), repeats)
    print(f"model resolution, {width}x{height} photo -> {label}: {ms:8.1f} ms/cinemagraph")
    small_frames = result.frames
    gif = os.path.join(tmp, "small.gif")
    ms, _ = timed_ms(lambda: writers.write_cinemagraph(generate(photo, False).frames, gif),
                     repeats)
    print(f"{size}x{size} GIF end to end, {width}x{height} array -> file "
          f"(generate_cinemagraph + write_cinemagraph): {ms:8.1f} ms")
    png = os.path.join(tmp, "photo.png")
    Image.fromarray(photo).save(png)
    options = CinemagraphOptions(num_frames=num_frames, loop=loop, full_resolution=False)
    ms, _ = timed_ms(lambda: generate_lib.run(workdir, png, gif, options, progress=False),
                     repeats)
    print(f"{size}x{size} GIF via generate_lib.run, PNG file -> GIF file (reloads the "
          f"checkpoint and retraces every call): {ms:8.1f} ms")

    ms, result = timed_ms(lambda: generate(photo, True), repeats)
    moving = 100.0 * np.mean(result.motion_mask > 0)
    print(f"full resolution, {width}x{height} photo -> {length} frames {width}x{height} "
          f"(no mask; {moving:.0f}% moving): {ms:8.1f} ms/cinemagraph")
    big_frames = result.frames
    ms, result = timed_ms(lambda: generate(photo, True, mask), repeats)
    moving = 100.0 * np.mean(result.motion_mask > 0)
    print(f"full resolution, {width}x{height} user mask ({100 * mask_fraction:.0f}% may move; "
          f"{moving:.0f}% moving): {ms:8.1f} ms/cinemagraph")

    first = time.perf_counter()
    generate(small, False, frozen=True)
    print(f"frozen=True (weights as graph constants), first call: "
          f"{1000 * (time.perf_counter() - first):.0f} ms")
    ms, _ = timed_ms(lambda: generate(photo, False, frozen=True), repeats)
    print(f"frozen, model resolution, {width}x{height} photo -> {label}: {ms:8.1f} ms/cinemagraph")
    ms, _ = timed_ms(lambda: writers.write_cinemagraph(
        generate(photo, False, frozen=True).frames, gif), repeats)
    print(f"frozen, {size}x{size} GIF end to end, {width}x{height} array -> file: {ms:8.1f} ms")
    ms, _ = timed_ms(lambda: generate(photo, True, frozen=True), repeats)
    print(f"frozen, full resolution, {width}x{height} photo -> {length} frames (no mask): "
          f"{ms:8.1f} ms/cinemagraph")

    for frames in (small_frames, big_frames):
        shape = f"{frames.shape[0]} x {frames.shape[2]}x{frames.shape[1]}"
        change = np.mean(np.abs(np.diff(frames[1:].astype(np.int16), axis=0)))
        print(f"frames {shape}: mean |frame t+1 - frame t| = {change:.2f} grey levels "
              f"(frames 1..{len(frames) - 1})")
        for extension in (".gif", ".mp4", ".webp"):
            path = os.path.join(tmp, "frames" + extension)
            ms, _ = timed_ms(lambda: writers.write_cinemagraph(frames, path), repeats)
            kib = os.path.getsize(path) / 1024.0
            print(f"encode {shape} {extension[1:]:4s}: {ms:8.1f} ms ({kib:.1f} KiB)")
            os.remove(path)
    print(f"peak RSS: {_peak_rss_mib():.0f} MiB")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    if _REPEATS.value < 1 or _NUM_FRAMES.value < 2 or min(_WIDTH.value, _HEIGHT.value) < 1:
        raise app.UsageError("need --repeats >= 1, --num_frames >= 2, --width/--height >= 1")
    if not 0 < _MASK_FRACTION.value <= 1:
        raise app.UsageError("--mask_fraction must be in (0, 1]")
    logging.set_verbosity(logging.WARNING)
    if _MODEL.value == "motion":
        import motion_stages  # pylint: disable=import-outside-toplevel (beside this file)
        with tempfile.TemporaryDirectory() as tmp:
            motion_stages.report(((_WIDTH.value, _HEIGHT.value), (640, 360)), _REPEATS.value,
                                 tmp, timed_ms, make_photo)
        print(f"peak RSS of this process: {_peak_rss_mib():.0f} MiB")
        return
    # Each generate_lib.run call loads a new generator and so traces a new graph, by
    # design; keep TF's retracing warnings (and INFO lines) out of the report.
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    tf.get_logger().setLevel("ERROR")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = _CHECKPOINT.value
        if workdir is None:
            workdir = os.path.join(tmp, "run")
            save_untrained_workdir(workdir)
        run(workdir, tmp, _REPEATS.value, _NUM_FRAMES.value, _LOOP.value, _HEIGHT.value,
            _WIDTH.value, _MASK_FRACTION.value)


if __name__ == "__main__":
    app.run(main)
