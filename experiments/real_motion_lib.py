"""What `python -m experiments.real_motion` computes, per source and per method.

For each source of a split of a real-cinemagraph manual_dir: the photo is the clip's
first frame at the source's full resolution, the reference is the clip's first second
(every frame) at 160 px wide. Each method makes a cinemagraph of the photo at the clip's
frame rate; its first second, brought to 160 px wide, is scored against the reference
(`cinegen_tf.evaluation.motion_scores`: how it moves) and with PSNR / SSIM of frames and
of frame differences (Tables 2/3's measures, where copying the photo scores well).

Methods: `ours` (the bundled motion model, or --weights), two oracles rendered by our
renderer from the clip's own flow (`oracle_mean`: its time-averaged field, steady flow
only; `oracle_chained`: its per-frame flows chained, no loop), `constant` (the photo in
every frame), and trained checkpoints of the package's generators (`NAME=WORKDIR`).
"""
import dataclasses

import numpy as np
from skimage.metrics import structural_similarity
from skimage.registration import optical_flow_ilk

from cinegen_tf.data import image_io, video_io
from cinegen_tf.evaluation import motion_scores
from cinegen_tf.motion import prepared, render, targets

LOOP_SECONDS = 2.0
MSE_FLOOR = (1.0 / 255.0) ** 2


@dataclasses.dataclass
class Clip:
    """A test source: photo uint8 (H, W, 3) full size, real uint8 (T, h, 160, 3), fps."""
    category: str
    name: str
    photo: np.ndarray
    real: np.ndarray
    fps: float


def load_clip(source):
    timeline = video_io.probe(source.path)
    real, fps = prepared.read_window(source.path, timeline, 0.0)
    photo, _ = video_io.read_frames_at(source.path, timeline.timestamps[:1] + 1e-4,
                                       size=image_io.Width(), timeline=timeline)
    return Clip(source.category, source.name, photo[0], real, fps)


def loop_frames(fps):
    return max(2, int(round(LOOP_SECONDS * fps)))


def oracle_mean(clip):
    """The clip's time-averaged flow and moving region, drawn as a steady Eulerian loop."""
    t = targets.window_targets(clip.real, clip.fps)
    fields = np.zeros(t.moving.shape + (6,), np.float32)
    fields[..., 0] = np.where(t.moving > 0, 20.0, -20.0)
    fields[..., 1:3] = t.velocity
    motion = render.motion_from_fields(fields, loop_frames(clip.fps), clip.fps,
                                       ingredients=render.Ingredients(sway=False, flicker=False))
    return render.render(clip.photo, motion)


def oracle_chained(clip):
    """The clip's own per-frame flows, chained from the photo (the first second only)."""
    y = targets.luminance(clip.real)
    moving = (y.std(0) > targets.MOVING_STD).astype(np.float32)
    h, w = y.shape[1:]
    back = [np.zeros((h, w, 2), np.float32)]
    for i in range(1, len(y)):
        vy, vx = optical_flow_ilk(y[i], y[i - 1], radius=5)   # x in i came from x + flow
        step = np.stack([vx, vy], -1).astype(np.float32)
        back.append(step + targets.warp(back[-1], step))
    motion = render.Motion(alpha=moving, back=np.stack(back))
    return render.render(clip.photo, motion)


def constant(clip):
    return np.repeat(clip.photo[None], loop_frames(clip.fps), axis=0)


def _psnr(a, b, peak):
    """PSNR at `peak`, per-frame MSE floored at one 8-bit grey level (as metrics.py)."""
    return 10.0 * np.log10(peak ** 2 / max(float(np.mean((a - b) ** 2)), MSE_FLOOR))


def fidelity(ours, real):
    """PSNR / SSIM of frames 1 .. T-1 and of their differences (Tables 2 / 3's measures).

    Args:
      ours, real: uint8 (T, h, w, 3), same shape.
    """
    a, b = ours.astype(np.float32) / 255.0, real.astype(np.float32) / 255.0
    da, db = np.diff(a, axis=0), np.diff(b, axis=0)
    return dict(
        psnr=float(np.mean([_psnr(x, y, 1.0) for x, y in zip(a[1:], b[1:])])),
        ssim=float(np.mean([structural_similarity(x, y, channel_axis=-1, data_range=1.0)
                            for x, y in zip(a[1:], b[1:])])),
        frame_diff_psnr=float(np.mean([_psnr(x, y, 2.0) for x, y in zip(da, db)])),
        frame_diff_ssim=float(np.mean([structural_similarity(x, y, channel_axis=-1,
                                                             data_range=2.0)
                                       for x, y in zip(da, db)])))


def score_loop(loop, clip):
    """A method's loop (uint8 (L, H, W, 3) at the photo's size) -> its scores on `clip`."""
    real = clip.real
    loop160 = motion_scores.resize_to_width(loop, real.shape[2])
    if loop160.shape[1:3] != real.shape[1:3]:
        raise ValueError(f"{clip.name}: frames {loop160.shape[1:3]} at 160 px wide, the "
                         f"clip's are {real.shape[1:3]}")
    # A loop shorter than the second (the chained oracle's is exactly one) repeats.
    ours = np.concatenate([loop160] * int(np.ceil(len(real) / len(loop160))))[:len(real)]
    scores = motion_scores.score(ours, real, clip.fps, ours_loop=loop160)
    scores.update(fidelity(ours, real))
    return scores


def checkpoint_method(workdir):
    """A trained generator of this package as a method (its cinemagraph at full size).

    Returns (category, method): the real category the workdir was trained on (None: any,
    e.g. synthetic data or category "all"), and clip -> uint8 (L, H, W, 3).
    """
    from cinegen_tf.inference import trained_generator  # pylint: disable=import-outside-toplevel
    from cinegen_tf.training.checkpoints import load_generator  # pylint: disable=import-outside-toplevel
    generator, config = load_generator(workdir)
    category = config.data.get("category") if config.data.name == "real" else None

    def method(clip):
        return trained_generator.generate_cinemagraph(
            generator, clip.photo, loop_frames(clip.fps), loop="crossfade",
            image_size=int(config.model.image_size)).frames
    return (None if category == "all" else category), method


def by_category(methods):
    """One method from {category or None: method}: a clip goes to its category's model,
    else to the one trained on every category (the caller checks one of them exists)."""
    def method(clip):
        return methods.get(clip.category, methods.get(None))(clip)
    return method


def contact_sheet(loops, path, width=240):
    """A PNG to look at: one row per loop (name -> uint8 (L, H, W, 3)), columns frames
    0, L/4, L/2, 3L/4 and the temporal std of luminance (white = moves, x8)."""
    from PIL import Image, ImageDraw  # pylint: disable=import-outside-toplevel
    rows = []
    for name, loop in loops.items():
        small = motion_scores.resize_to_width(loop, width)
        picks = [small[i * len(small) // 4] for i in range(4)]
        std = np.clip(motion_scores.luminance(small).std(0) * 8, 0, 255).astype(np.uint8)
        row = np.concatenate(picks + [np.repeat(std[..., None], 3, -1)], 1)
        image = Image.fromarray(row)
        ImageDraw.Draw(image).text((4, 4), name, fill=(255, 255, 0))
        rows.append(np.asarray(image))
    Image.fromarray(np.concatenate(rows, 0)).save(path)
