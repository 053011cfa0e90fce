"""What `python -m cinegen_tf.generate` runs: photos in, cinemagraph files out.

One photo -> one file (its format from the output's extension), or a folder of photos ->
a folder of files (format from `output_format`), with a progress bar. Every problem is
one line naming the file: in folder mode a bad photo is reported and skipped and the
rest go on; nothing partial is ever left behind (writers write atomically).

Two kinds of model make the frames: with no checkpoint, the bundled motion model
(`cinegen_tf.motion`, ours, not in the paper; NumPy and OpenCV, TensorFlow is never
imported); with a checkpoint, a generator trained by `cinegen_tf.train`
(`trained_generator`, TensorFlow).
"""
import dataclasses
import logging
import os
import sys

import tqdm

from cinegen_tf.inference import image_io, writers
from cinegen_tf.inference.options import CinemagraphOptions
from cinegen_tf.motion import model as motion_model

log = logging.getLogger(__name__)


class GenerateError(ValueError):
    """A problem that stops the run; the message is one line for the user."""


@dataclasses.dataclass
class Report:
    """What a run did.

    Attributes:
      written: output paths, in order.
      failed: (photo, one-line reason) of each photo skipped (folder mode).
      seeds: output path -> the seed its actions were sampled with (temperature > 0).
    """
    written: list
    failed: list
    seeds: dict


def one_line(error):
    text = " ".join(str(error).split())
    return text or type(error).__name__


def list_photos(folder):
    """Non-hidden regular files of `folder`, sorted by name (each is tried as a photo)."""
    names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    return [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]


def output_names(photos, extension):
    """photo path -> output file name: `<stem><extension>`, `<stem>_<ext><extension>` on
    a clash of stems (a.jpg and a.png), so no output overwrites another."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in photos]
    names = {}
    for photo, stem in zip(photos, stems):
        if stems.count(stem) > 1:
            stem = stem + "_" + os.path.splitext(photo)[1].lstrip(".").lower()
        names[photo] = stem + extension
    return names


def _plan(input_path, output_path, output_format):
    """[(photo, output path)], after checking paths and formats (before loading a model)."""
    if not os.path.exists(input_path):
        raise GenerateError(f"{input_path}: no such file or folder")
    if os.path.isdir(input_path):
        extension = "." + output_format.lower().lstrip(".")
        if extension not in writers.FORMATS:
            raise GenerateError(f"--format={output_format}: unknown; use one of "
                                f"{', '.join(v for v in sorted(set(writers.FORMATS.values())))}")
        if os.path.exists(output_path) and not os.path.isdir(output_path):
            raise GenerateError(f"{output_path}: must be a folder when the input "
                                f"{input_path} is a folder")
        photos = list_photos(input_path)
        if not photos:
            raise GenerateError(f"{input_path}: the folder has no files")
        names = output_names(photos, extension)
        return [(p, os.path.join(output_path, names[p])) for p in photos]
    if os.path.isdir(output_path):
        stem = os.path.splitext(os.path.basename(input_path))[0]
        output_path = os.path.join(output_path, stem + "." + output_format.lstrip("."))
    try:
        writers.output_format(output_path)
    except ValueError as error:
        raise GenerateError(str(error)) from error
    return [(input_path, output_path)]


def _motion_maker(num_frames, fps, seed, weights):
    """photo path, mask -> (frames, seed) with the motion model (no TensorFlow)."""
    if int(num_frames) < 2:
        raise GenerateError(f"--num_frames={num_frames}: must be >= 2")
    animator = motion_model.load(weights)
    seed = 0 if seed is None else int(seed)

    def make(photo, user_mask):
        original = image_io.load_image(photo)
        image = motion_model.check_photo(original, name=photo)
        if image.shape != original.shape:
            log.warning("%s: %dx%d px animated at %dx%d (the long side at most %d px)",
                        photo, original.shape[1], original.shape[0], image.shape[1],
                        image.shape[0], motion_model.MAX_SIDE)
        return animator.animate(image, num_frames, fps, seed=seed, mask=user_mask), None
    return make


def _generator_maker(checkpoint, options, seed):
    """photo path, mask -> (frames, seed) with a trained generator (TensorFlow)."""
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from cinegen_tf.inference import trained_generator  # pylint: disable=import-outside-toplevel
    from cinegen_tf.training.checkpoints import load_generator  # pylint: disable=import-outside-toplevel
    try:
        generator, config = load_generator(checkpoint)
        size = int(config.model.image_size)
        trained_generator.cinemagraph_module(generator, options, size)  # rejects bad combinations
    except tf.errors.OpError as error:
        raise GenerateError(one_line(error)) from error
    if seed is not None and options.temperature == 0:
        log.warning("--seed=%s has no effect with greedy actions (--temperature=0)", seed)

    def make(photo, user_mask):
        result = trained_generator.generate_cinemagraph(
            generator, photo, options.num_frames, options.loop, user_mask,
            options.full_resolution, options.temperature, seed,
            crossfade_frames=options.crossfade_frames,
            motion_threshold=options.motion_threshold,
            mask_dilation=options.mask_dilation, image_size=size)
        if not result.motion_mask.any():
            log.warning("%s: no motion above --motion_threshold=%g; the output is the "
                        "still photo", photo, options.motion_threshold)
        return result.frames, result.seed
    return make


def run(checkpoint, input_path, output_path, options=None, *, mask=None,
        seed=None, fps=None, quality=writers.DEFAULT_QUALITY,
        output_format="gif", progress=True, num_frames=None, weights=None):
    """Generates cinemagraphs for one photo or a folder of photos.

    Args:
      checkpoint: None for the bundled motion model, or a training workdir or
        checkpoint prefix (see `cinegen_tf.training.checkpoints.load_generator`).
      input_path: a photo, or a folder of photos.
      output_path: the output file (.gif / .mp4 / .webp), or a folder (created if
        missing) for a folder of photos or to name the output after the photo.
      options: `CinemagraphOptions` of a checkpoint's generator (None: the defaults).
      mask: optional path of a motion mask (any size), applied to every photo.
      seed: seed of sampled actions (temperature > 0; None = random, logged), or of the
        motion model's phases (None = 0).
      fps: frames per second; None = 24 (motion model) or `writers.DEFAULT_FPS`.
      quality: see `writers.write_cinemagraph`.
      output_format: "gif", "mp4" or "webp" when writing into a folder.
      progress: show a progress bar in folder mode.
      num_frames: the motion model's loop length (None: 48; a checkpoint's is in
        `options`).
      weights: the motion model's weights file (None: the bundled one).

    Returns:
      a `Report`.

    Raises:
      GenerateError: bad paths or options, an unusable checkpoint, or (single-photo
        mode) a bad photo; the message is one line.
    """
    plan = _plan(os.fspath(input_path), os.fspath(output_path), output_format)
    folder_mode = os.path.isdir(input_path)
    if fps is None:
        fps = motion_model.LOOP_FPS if checkpoint is None else writers.DEFAULT_FPS
    if not 0 < fps <= 100:
        raise GenerateError(f"--fps={fps}: must be in (0, 100]")
    if not 1 <= quality <= 100:
        raise GenerateError(f"--quality={quality}: must be in [1, 100]")
    try:
        user_mask = None if mask is None else image_io.load_mask(mask)
        if checkpoint is None:
            make = _motion_maker(num_frames or motion_model.LOOP_FRAMES, fps, seed, weights)
        else:
            make = _generator_maker(checkpoint, options or CinemagraphOptions(), seed)
    except (OSError, ValueError, TypeError) as error:
        raise GenerateError(one_line(error)) from error
    for folder in sorted({os.path.dirname(os.path.abspath(out)) for _, out in plan}):
        os.makedirs(folder, exist_ok=True)

    report = Report(written=[], failed=[], seeds={})
    bar = tqdm.tqdm(plan, unit="photo", disable=not (progress and folder_mode),
                    file=sys.stderr)
    for photo, out in bar:
        bar.set_postfix_str(os.path.basename(photo), refresh=False)
        try:
            frames, used_seed = make(photo, user_mask)
            writers.write_cinemagraph(frames, out, fps=fps, quality=quality)
            report.written.append(out)
            if used_seed is not None:
                report.seeds[out] = used_seed
        except (OSError, ValueError) as error:
            if not folder_mode:
                raise GenerateError(one_line(error)) from error
            reason = one_line(error)
            tqdm.tqdm.write(f"skipped {reason if photo in reason else photo + ': ' + reason}",
                            file=sys.stderr)
            report.failed.append((photo, reason))
    return report
