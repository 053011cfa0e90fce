"""The bundled motion model's side of benchmarks/cinemagraph_benchmark.py (no TensorFlow).

`command_line(width, height)` times `python -m cinegen_tf.generate --input=photo.png
--output=out.mp4` as a user runs it (a fresh process: start-up, model load, 48 frames at
24 fps, MP4 encoding) and reads the child's peak RSS from wait4; `stages(photo)` times each
step in-process. The photo is the first frame of a water clip of ../shared/data/real_clips
resized to the size asked for (a synthetic gradient + noise where that folder is missing:
the model then predicts little motion and the numbers flatter it).
"""
import os
import pathlib
import statistics
import subprocess
import sys
import time

import cv2
import numpy as np

from cinegen_tf.cinemagraph import write_cinemagraph
from cinegen_tf.motion import model, render

CLIP = pathlib.Path(__file__).resolve().parents[2] / "shared/data/real_clips/water/lake_boats.mp4"


def photo_of_size(width, height, fallback):
    """uint8 (height, width, 3): the water clip's first frame, or `fallback(height, width)`."""
    if CLIP.exists():
        from cinegen_tf.data import image_io, video_io  # pylint: disable=import-outside-toplevel
        frames, _ = video_io.read_frames_at(CLIP, [0.0], size=image_io.Width())
        return cv2.resize(frames[0], (width, height), interpolation=cv2.INTER_CUBIC), CLIP.name
    return fallback(height, width), "synthetic gradient + noise"


def command_line(png, output, repeats):
    """Median wall seconds and max peak RSS (MiB) of `python -m cinegen_tf.generate`."""
    walls, peaks = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "cinegen_tf.generate",
                                  f"--input={png}", f"--output={output}"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        walls.append(time.perf_counter() - start)
        if child.returncode:
            raise RuntimeError(f"generate failed: {child.stderr.read().decode()[-500:]}")
        child.stderr.close()
        peaks.append(usage.ru_maxrss / 1024.0)
    return statistics.median(walls), max(peaks)


def stages(photo, repeats, timed_ms):
    """{stage: ms} of one 48-frame loop in-process, and the loop."""
    out = {}
    start = time.perf_counter()
    animator = model.load(model.BUNDLED_WEIGHTS)
    out["load weights (first, uncached)"] = 1000 * (time.perf_counter() - start)
    checked = model.check_photo(photo)
    out["network (160 px wide)"], fields = timed_ms(lambda: animator.fields(checked), repeats)
    out["motion (integration, phases)"], motion = timed_ms(
        lambda: render.motion_from_fields(fields, model.LOOP_FRAMES, model.LOOP_FPS), repeats)
    out["render at full size"], frames = timed_ms(lambda: render.render(checked, motion), repeats)
    moving = float(np.mean(cv2.resize(motion.alpha, checked.shape[1::-1]) > 0))
    return out, frames, moving


def report(sizes, repeats, tmp, timed_ms, fallback):
    photos = {size: photo_of_size(*size, fallback) for size in sizes}
    # Every command line first: a child's peak RSS starts from this process's size at
    # the fork, so it is measured before the in-process stages grow it.
    for (width, height), (photo, source) in photos.items():
        png = os.path.join(tmp, f"photo_{width}x{height}.png")
        cv2.imwrite(png, photo[..., ::-1])
        seconds, peak = command_line(png, os.path.join(tmp, "out.mp4"), repeats)
        print(f"motion model, command line, {width}x{height} PNG ({source}) -> 2 s MP4 "
              f"(48 frames, 24 fps), start-up and load included: {seconds:.2f} s, "
              f"peak RSS {peak:.0f} MiB")
    for (width, height), (photo, _) in photos.items():
        times, frames, moving = stages(photo, repeats, timed_ms)
        for name, ms in times.items():
            print(f"  {width}x{height} {name}: {ms:8.1f} ms")
        print(f"  {width}x{height}: {100 * moving:.0f}% of the photo may move")
        for extension in ("mp4", "gif", "webp"):
            path = os.path.join(tmp, f"frames.{extension}")
            ms, _ = timed_ms(lambda p=path: write_cinemagraph(frames, p, fps=24), repeats)
            print(f"  {width}x{height} encode {extension:4s}: {ms:8.1f} ms "
                  f"({os.path.getsize(path) / 1024:.0f} KiB)")
