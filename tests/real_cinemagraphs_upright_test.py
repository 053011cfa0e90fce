"""The five phone videos of ../shared/data/real_cinemagraphs (rotation metadata: -90
degrees) are stored upright: the builder's frames equal a naive decode turned 90 degrees
clockwise, as a player shows them. Skipped when the shared data is absent."""
import pathlib

import av
import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder as builder_lib
from cinegen_tf.data import image_io
from cinegen_tf.data import real_sources

REAL_CINEMAGRAPHS_DIR = (pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data"
                         / "real_cinemagraphs")
ROTATED = ("brandonleichty__waves.mov", "neelsoumya__pool.mp4",
           "neelsoumya__riverreflection.mp4", "neelsoumya__still.mp4", "neelsoumya__swans.mp4")


@pytest.fixture(scope="module")
def rotated_sources():
    paths = [REAL_CINEMAGRAPHS_DIR / "water" / name for name in ROTATED]
    if not all(path.is_file() for path in paths):
        pytest.skip(f"the rotated real clips are not all at {REAL_CINEMAGRAPHS_DIR}/water")
    return paths


def _naive_frames_at(path, starts):
    """{start: (H, W, 3) uint8}: the frames starting at `starts` (s from the first
    frame), as stored in the file, and the file's display matrix."""
    wanted, found, matrix, origin = np.asarray(sorted(starts)), {}, None, None
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            origin = frame.time if origin is None else origin
            t = frame.time - origin
            hit = np.flatnonzero(np.abs(wanted - t) < 1e-3)
            if hit.size:
                found[float(wanted[hit[0]])] = frame.to_ndarray(format="rgb24")
                side_data = frame.side_data.get("DISPLAYMATRIX")
                matrix = None if side_data is None else np.frombuffer(bytes(side_data), "<i4")
            if len(found) == len(wanted):
                break
    return found, matrix


def test_rotated_phone_clips_are_stored_upright(rotated_sources, tmp_path):
    manual_dir = tmp_path / "manual"
    (manual_dir / "water").mkdir(parents=True)
    for path in rotated_sources:
        (manual_dir / "water" / path.name).symlink_to(path)
    builder = builder_lib.Builder(config="water_flowing", data_dir=str(tmp_path / "data"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    examples = [ex for split in builder.info.splits
                for ex in tfds.as_numpy(builder.as_dataset(split=split))]
    by_source = {}
    for ex in examples:
        by_source.setdefault(ex["source"].decode(), []).append(ex)
    assert sorted(by_source) == sorted(ROTATED)  # none skipped
    for path in rotated_sources:
        starts = {float(t) for ex in by_source[path.name] for t in ex["timestamps"]}
        naive, matrix = _naive_frames_at(path, starts)
        assert len(naive) == len(starts), path.name
        # FFmpeg's matrix for "turn 90 degrees clockwise": p' = -q, q' = p (plus a shift).
        assert matrix is not None and (matrix[0], matrix[4]) == (0, 0), path.name
        assert matrix[1] > 0 > matrix[3], path.name
        for ex in by_source[path.name]:
            for stored, t in zip(ex["video"], ex["timestamps"]):
                frame = naive[min(naive, key=lambda s: abs(s - float(t)))]
                upright = np.ascontiguousarray(np.rot90(frame, k=-1))  # clockwise
                assert upright.shape[0] > upright.shape[1], path.name  # portrait
                np.testing.assert_array_equal(
                    stored, image_io.resize_and_center_crop(Image.fromarray(upright),
                                                            real_sources.FRAME_SIZE),
                    err_msg=f"{path.name} at {float(t):.3f} s")
                sideways = image_io.resize_and_center_crop(Image.fromarray(frame),
                                                           real_sources.FRAME_SIZE)
                assert np.abs(stored.astype(int) - sideways).mean() > 5, path.name
