"""`python -m cinegen_tf.generate` and generate_lib: files and folders in, cinemagraphs
out, one-line errors, bad photos skipped in folder mode, nothing partial left behind."""
import os
import pathlib
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image, ImageSequence

from cinegen_tf.inference import generate_lib
from cinegen_tf.inference.pipeline import CinemagraphOptions
from cinegen_tf.training import checkpoints, config_lib, methods

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
OPTIONS = CinemagraphOptions(num_frames=4)  # crossfade K = 1: 3 frames


def save_checkpoint(workdir, z_dim=4):
    """A workdir as the trainer writes it: config.json + checkpoints/ckpt-1."""
    config = config_lib.base_config()
    config.model.z_dim, config.model.num_actions, config.model.image_size = z_dim, 3, 16
    # Seeded: how much an untrained model's frames vary (which the mask test relies on)
    # must not depend on the tests that ran before.
    keras.utils.set_random_seed(0)
    generator = methods.build_generator(config)
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(generator=generator)
    checkpoints.make_manager(checkpoint, workdir, max_to_keep=1).save(checkpoint_number=1)
    return config


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("run")
    save_checkpoint(str(path))
    return str(path)


def photo_file(path, size=(30, 40)):
    """A textured photo, white on its left (far from an untrained model's grey: moves)."""
    rng = np.random.default_rng(0)  # not the path: pytest's tmp folder names vary
    photo = rng.integers(100, 156, size + (3,), dtype=np.uint8)
    photo[:, : size[1] // 2] = 255
    Image.fromarray(photo).save(path)
    return str(path)


def play_time_ms(path):
    """Total duration of an animated GIF: frames x frame time, even where the encoder
    merged identical consecutive frames into one longer frame."""
    with Image.open(path) as image:
        return sum(frame.info["duration"] for frame in ImageSequence.Iterator(image))


def run_binary(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "cinegen_tf.generate", *args], cwd=REPO_ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_binary_writes_a_gif(workdir, tmp_path):
    photo = photo_file(tmp_path / "photo.jpg")
    result = run_binary(f"--checkpoint={workdir}", f"--input={photo}",
                        f"--output={tmp_path / 'out.gif'}", "--num_frames=4")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "out.gif")
    assert play_time_ms(tmp_path / "out.gif") == 3 * 100  # 3 frames at 10 fps


def gif_frames(path):
    """The frames of a GIF as one (N, H, W, 3) uint8 array."""
    with Image.open(path) as image:
        return np.stack([np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(image)])


def test_binary_frozen_gives_the_frames_of_the_default_path(workdir, tmp_path):
    # 16x16 = 256 pixels: the GIF palette holds every colour, so frames come back exact.
    photo = photo_file(tmp_path / "photo.png", size=(16, 16))
    outputs = {}
    for frozen in (False, True):
        outputs[frozen] = tmp_path / f"frozen_{frozen}.gif"
        result = run_binary(f"--checkpoint={workdir}", f"--input={photo}",
                            f"--output={outputs[frozen]}", "--num_frames=6", "--loop=none",
                            f"--frozen={frozen}")
        assert result.returncode == 0, result.stderr
    default, frozen = gif_frames(outputs[False]), gif_frames(outputs[True])
    assert default.shape == frozen.shape and default.shape[1:] == (16, 16, 3)
    # The same computation (tested to 1e-5 in float): at most a rounding step apart.
    assert np.abs(default.astype(int) - frozen.astype(int)).max() <= 1


def test_binary_reports_a_missing_checkpoint_in_one_line(tmp_path):
    photo = photo_file(tmp_path / "photo.png")
    result = run_binary(f"--checkpoint={tmp_path / 'nowhere'}", f"--input={photo}",
                        f"--output={tmp_path / 'out.gif'}")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "nowhere" in last
    assert sorted(os.listdir(tmp_path)) == ["photo.png"]


def test_folder_mode_skips_bad_files_and_goes_on(workdir, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    photo_file(photos / "a.png")
    photo_file(photos / "a.bmp")  # same stem: outputs must not collide
    photo_file(photos / "b.jpg", size=(50, 20))
    (photos / "notes.txt").write_text("not a photo")
    (photos / "empty.webp").write_bytes(b"")
    out = tmp_path / "gifs"
    report = generate_lib.run(workdir, str(photos), str(out), OPTIONS, progress=False)
    assert sorted(os.listdir(out)) == ["a_bmp.gif", "a_png.gif", "b.gif"]
    assert sorted(os.path.basename(p) for p, _ in report.failed) == ["empty.webp", "notes.txt"]
    assert all(play_time_ms(path) == 300 for path in report.written)
    with Image.open(out / "b.gif") as gif:
        assert gif.size == (20, 50)  # full resolution
    mp4s = generate_lib.run(workdir, str(photos), str(out), OPTIONS, output_format="mp4",
                            progress=False)
    assert len(mp4s.written) == 3 and all(p.endswith(".mp4") for p in mp4s.written)


def test_bad_requests_fail_before_writing(workdir, tmp_path):
    photo = photo_file(tmp_path / "photo.png")
    with pytest.raises(generate_lib.GenerateError, match="unknown output extension"):
        generate_lib.run(workdir, photo, str(tmp_path / "out.avi"), OPTIONS)
    with pytest.raises(generate_lib.GenerateError, match="no such file"):
        generate_lib.run(workdir, str(tmp_path / "nope.jpg"), str(tmp_path / "o.gif"), OPTIONS)
    (tmp_path / "bad.jpg").write_text("text")
    with pytest.raises(generate_lib.GenerateError, match="bad.jpg: not a readable image"):
        generate_lib.run(workdir, str(tmp_path / "bad.jpg"), str(tmp_path / "o.gif"), OPTIONS)
    with pytest.raises(generate_lib.GenerateError, match="fps"):
        generate_lib.run(workdir, photo, str(tmp_path / "o.gif"), OPTIONS, fps=0)
    assert sorted(os.listdir(tmp_path)) == ["bad.jpg", "photo.png"]


def test_checkpoint_of_another_model_is_rejected(tmp_path):
    run = tmp_path / "run"
    save_checkpoint(str(run), z_dim=4)
    config = config_lib.base_config()
    config.model.z_dim, config.model.num_actions, config.model.image_size = 8, 3, 16
    checkpoints.write_config(config, str(run))  # now config.json describes another model
    photo = photo_file(tmp_path / "photo.png")
    with pytest.raises(generate_lib.GenerateError, match="does not match"):
        generate_lib.run(str(run), photo, str(tmp_path / "o.gif"), OPTIONS)
    assert not (tmp_path / "o.gif").exists()


def test_mask_sampling_and_output_folder_naming(workdir, tmp_path):
    photo = photo_file(tmp_path / "photo.png")
    half = np.zeros((4, 4), np.uint8)
    half[:, :2] = 255
    Image.fromarray(half).save(tmp_path / "half.png")  # the left half may move
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "mask.png")  # all frozen
    # An untrained model's frames vary little over time: any change moves (threshold 0).
    options = CinemagraphOptions(num_frames=4, temperature=1.0, loop="none",
                                 motion_threshold=0.0)
    out = tmp_path / "out"
    out.mkdir()
    report = generate_lib.run(workdir, photo, str(out), options, mask=str(tmp_path / "half.png"),
                              seed=7, output_format="webp")
    assert report.written == [str(out / "photo.webp")] and report.seeds[report.written[0]] == 7
    with Image.open(out / "photo.webp") as webp:
        # Frames 1.. of an untrained model barely differ: the lossy encoder may merge
        # them, but the photo (frame 0) and the moved frames stay apart.
        assert webp.n_frames >= 2 and webp.info["loop"] == 0
    # A frozen mask: the GIF's frames are all the photo (Pillow merges them into one).
    generate_lib.run(workdir, photo, str(tmp_path / "still.gif"), options,
                     mask=str(tmp_path / "mask.png"), seed=7)
    with Image.open(tmp_path / "still.gif") as gif:
        assert gif.n_frames == 1 and gif.info["duration"] == 400


def test_without_a_checkpoint_the_bundled_motion_model_animates_the_photo(tmp_path):
    """generate's default path: the bundled motion model, no TensorFlow imported."""
    photo = photo_file(tmp_path / "lake.png", size=(72, 96))
    out = tmp_path / "lake.gif"
    code = ("import sys; from cinegen_tf.inference import generate_lib; "
            f"report = generate_lib.run(None, {photo!r}, {str(out)!r}, num_frames=6); "
            "print(report.written, 'tensorflow' in sys.modules)")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("False"), result.stdout  # TensorFlow never imported
    from cinegen_tf.inference.writers import read_cinemagraph
    frames = read_cinemagraph(str(out))
    assert frames.shape == (6, 72, 96, 3)
    with Image.open(out) as image:
        assert image.info["duration"] == 40  # 24 fps: 4 centiseconds a frame (GIF)


def test_binary_default_model_writes_an_mp4(tmp_path):
    photo = photo_file(tmp_path / "p.png", size=(64, 80))
    result = run_binary(f"--input={photo}", f"--output={tmp_path / 'p.mp4'}", "--num_frames=5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "p.mp4")
    from cinegen_tf.inference.writers import read_cinemagraph
    assert read_cinemagraph(str(tmp_path / "p.mp4")).shape[0] == 5
