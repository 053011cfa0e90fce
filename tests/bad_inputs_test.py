"""A user's mistakes, tried on every binary as a user would: each ends with a non-zero exit
status and one line on stderr naming what is wrong (no traceback), and writes nothing.

Every case is one subprocess. They run two at a time in one module fixture (each costs a
TensorFlow start-up, ~3-5 s of CPU), over one tiny checkpoint made once per module.
"""
import concurrent.futures
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from cinegen_tf.training import checkpoints, config_lib, methods

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
# The synthetic eight RNN+DQN config (not the quickstart, whose method may change).
QUICKSTART = "experiments/configs/synthetic.py:eight,rnn_dqn"
# Overrides that make the quickstart's model the tiny one of `_save_run`.
TINY = ("--config.model.z_dim=4", "--config.model.num_actions=3", "--config.model.image_size=16")
GENERATE = ("-m", "cinegen_tf.generate", "--checkpoint={run}", "--input={photo}")


def _case(name, binary, args, message, absent=()):
    """binary: a module run with `python -m`, or "tfds"; args, message (substrings of the
    error line, all required) and absent (paths that must not exist afterwards) may use
    {tmp}, {run}, {rnn_run}, {corrupt}, {photo}, {text}, {file}."""
    return dict(name=name, binary=binary, args=tuple(args), message=tuple(message),
                absent=tuple(absent))


CASES = [
    # --- train -------------------------------------------------------------------------
    _case("train_missing_config_file", "cinegen_tf.train",
          ["--config={tmp}/nope.py", "--workdir={tmp}/t1"], ["--config=", "nope.py",
                                                             "no such file"], ["{tmp}/t1"]),
    _case("train_bad_config_argument", "cinegen_tf.train",
          ["--config=experiments/configs/synthetic.py:nope,rnn", "--workdir={tmp}/t2"],
          ["--config=experiments/configs/synthetic.py:nope,rnn", "'nope'"], ["{tmp}/t2"]),
    _case("train_invalid_override", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--config.train.batch_size=-3", "--workdir={tmp}/t3"],
          ["batch_size", "-3", ">= 1"], ["{tmp}/t3"]),
    _case("train_unknown_override_key", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--config.train.nope=1", "--workdir={tmp}/t4"],
          ["--config.train.nope=1", "no field train.nope"], ["{tmp}/t4"]),
    _case("train_override_of_wrong_type", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--config.train.batch_size=abc", "--workdir={tmp}/t5"],
          ["--config.train.batch_size=abc"], ["{tmp}/t5"]),
    _case("train_image_size_unlike_the_data", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--config.model.image_size=32", "--workdir={tmp}/t6"],
          ["config.model.image_size = 32", "64x64"], ["{tmp}/t6"]),
    _case("train_image_size_too_small_for_the_model_and_unlike_the_data", "cinegen_tf.train",
          ["--config=experiments/configs/synthetic.py:eight,mathieu",
           "--config.model.image_size=16", "--workdir={tmp}/t6b"],
          ["config.model.image_size = 16", "64x64", "set it to 64"], ["{tmp}/t6b"]),
    _case("train_workdir_is_a_file", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--workdir={file}"], ["--workdir=", "not a folder"]),
    _case("train_workdir_of_another_method", "cinegen_tf.train",
          [f"--config={QUICKSTART}", *TINY, "--workdir={rnn_run}"],
          ["rnn_run", "another run", "method", "--workdir"]),
    _case("train_corrupt_checkpoint", "cinegen_tf.train",
          [f"--config={QUICKSTART}", *TINY, "--workdir={corrupt}"],
          ["ckpt-2", "truncated or corrupt", "ckpt-2.data-", "earlier good one", "ckpt-1"]),
    _case("train_missing_workdir_flag", "cinegen_tf.train", [f"--config={QUICKSTART}"],
          ["--workdir"]),
    _case("train_unknown_flag", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--workdir={tmp}/t6", "--num_steps=5"],
          ["num_steps"], ["{tmp}/t6"]),
    _case("train_stray_argument", "cinegen_tf.train",
          [f"--config={QUICKSTART}", "--workdir={tmp}/t7", "quickly"],
          ["unexpected arguments", "quickly"], ["{tmp}/t7"]),
    _case("train_real_data_not_prepared", "cinegen_tf.train",
          ["--config=experiments/configs/real.py:fire,rnn", *TINY[:1], *TINY[2:],
           "--config.data.data_dir={tmp}/no_tfds", "--workdir={tmp}/t8"],
          ["real_cinemagraphs", "no_tfds"], ["{tmp}/t8", "{tmp}/no_tfds"]),
    # --- evaluate ----------------------------------------------------------------------
    _case("evaluate_missing_workdir", "cinegen_tf.evaluate", ["--workdir={tmp}/nowhere"],
          ["--workdir=", "nowhere", "no such folder"], ["{tmp}/nowhere"]),
    _case("evaluate_corrupt_checkpoint", "cinegen_tf.evaluate",
          ["--workdir={corrupt}", "--num_sequences=1"],
          ["ckpt-2", "truncated or corrupt", "earlier good one", "ckpt-1"],
          ["{corrupt}/result.json"]),
    _case("evaluate_missing_checkpoint_prefix", "cinegen_tf.evaluate",
          ["--checkpoint={run}/checkpoints/ckpt-99", "--workdir={tmp}/e1"],
          ["ckpt-99"], ["{tmp}/e1"]),
    _case("evaluate_no_workdir_or_checkpoint", "cinegen_tf.evaluate", [],
          ["--workdir", "--checkpoint"]),
    _case("evaluate_follow_with_checkpoint", "cinegen_tf.evaluate",
          ["--follow", "--checkpoint={run}/checkpoints/ckpt-1"], ["--follow"]),
    _case("evaluate_zero_batch_size", "cinegen_tf.evaluate",
          ["--workdir={run}", "--batch_size=0"], ["--batch_size=0", ">= 1"],
          ["{run}/result.json"]),
    _case("evaluate_missing_config_file", "cinegen_tf.evaluate",
          ["--config={tmp}/nope.py", "--workdir={tmp}/e2"], ["nope.py", "no such file"],
          ["{tmp}/e2"]),
    # --- generate ----------------------------------------------------------------------
    _case("generate_corrupt_checkpoint", "cinegen_tf.generate",
          ["--checkpoint={corrupt}", "--input={photo}", "--output={tmp}/g1.gif"],
          ["ckpt-2", "truncated or corrupt", "earlier good one", "ckpt-1"], ["{tmp}/g1.gif"]),
    _case("generate_missing_checkpoint", "cinegen_tf.generate",
          ["--checkpoint={tmp}/no_run", "--input={photo}", "--output={tmp}/g2.gif"],
          ["no_run"], ["{tmp}/g2.gif"]),
    _case("generate_missing_photo", "cinegen_tf.generate",
          ["--checkpoint={run}", "--input={tmp}/no.jpg", "--output={tmp}/g3.gif"],
          ["no.jpg", "no such file"], ["{tmp}/g3.gif"]),
    _case("generate_photo_not_an_image", "cinegen_tf.generate",
          ["--checkpoint={run}", "--input={text}", "--output={tmp}/g4.gif"],
          ["notes.jpg", "not a readable image"], ["{tmp}/g4.gif"]),
    _case("generate_unknown_output_extension", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g5.avi"], ["g5.avi", "unknown output extension"],
          ["{tmp}/g5.avi"]),
    _case("generate_mask_not_an_image", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g6.gif", "--mask={text}"], ["notes.jpg"],
          ["{tmp}/g6.gif"]),
    _case("generate_one_frame", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g7.gif", "--num_frames=1"], ["num_frames", ">= 2"],
          ["{tmp}/g7.gif"]),
    _case("generate_crossfade_too_long", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g8.gif", "--num_frames=6", "--crossfade_frames=4"],
          ["crossfade_frames", "4"], ["{tmp}/g8.gif"]),
    _case("generate_zero_fps", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g9.gif", "--fps=0"], ["--fps=0"], ["{tmp}/g9.gif"]),
    _case("generate_quality_above_100", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g10.webp", "--quality=101"], ["--quality=101"],
          ["{tmp}/g10.webp"]),
    _case("generate_negative_temperature", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g11.gif", "--temperature=-1"],
          ["temperature", "-1"], ["{tmp}/g11.gif"]),
    _case("generate_unknown_loop_mode", "cinegen_tf.generate",
          [*GENERATE[2:], "--output={tmp}/g12.gif", "--loop=boomerang"],
          ["--loop=boomerang", "crossfade"], ["{tmp}/g12.gif"]),
    _case("generate_missing_input_flag", "cinegen_tf.generate",
          ["--checkpoint={run}", "--output={tmp}/g13.gif"], ["--input"], ["{tmp}/g13.gif"]),
    # --- generate with the bundled motion model (no --checkpoint) ------------------------
    _case("generate_motion_photo_too_small", "cinegen_tf.generate",
          ["--input={photo}", "--output={tmp}/m1.mp4"], ["photo.png", "too small to animate"],
          ["{tmp}/m1.mp4"]),
    _case("generate_motion_flag_of_trained_models", "cinegen_tf.generate",
          ["--input={photo}", "--output={tmp}/m2.gif", "--temperature=1"],
          ["--temperature", "only for a --checkpoint"], ["{tmp}/m2.gif"]),
    _case("generate_motion_damaged_weights", "cinegen_tf.generate",
          ["--input={photo}", "--output={tmp}/m3.gif", "--weights={text}"],
          ["notes.jpg", "damaged motion model weights"], ["{tmp}/m3.gif"]),
    _case("train_motion_missing_manual_dir", "cinegen_tf.train_motion",
          ["--manual_dir={tmp}/no_clips", "--output={tmp}/m4.npz"],
          ["--manual_dir=", "no such folder"], ["{tmp}/m4.npz"]),
    _case("real_motion_missing_manual_dir", "experiments.real_motion",
          ["--manual_dir={tmp}/no_clips", "--results_dir={tmp}/m5"],
          ["--manual_dir=", "no test-split sources"], ["{tmp}/m5"]),
    _case("quickstart_seeds_unevaluated_workdir", "experiments.quickstart_seeds",
          ["--workdirs={tmp}/no_run", "--constant={tmp}/no_run", "--results_dir={tmp}/m7"],
          ["no_run", "no result.json"], ["{tmp}/m7"]),
    _case("direction_prior_missing_manual_dir", "experiments.direction_prior",
          ["--manual_dir={tmp}/no_clips", "--results_dir={tmp}/m6"],
          ["no_clips", "water"], ["{tmp}/m6"]),
    # --- export ------------------------------------------------------------------------
    _case("export_missing_checkpoint", "cinegen_tf.export",
          ["--checkpoint={tmp}/no_run", "--output={tmp}/x1"], ["no_run"], ["{tmp}/x1"]),
    _case("export_corrupt_checkpoint", "cinegen_tf.export",
          ["--checkpoint={corrupt}", "--output={tmp}/x2"], ["truncated or corrupt"],
          ["{tmp}/x2"]),
    _case("export_one_frame", "cinegen_tf.export",
          ["--checkpoint={run}", "--output={tmp}/x3", "--num_frames=1"], ["num_frames"],
          ["{tmp}/x3"]),
    # --- preview -----------------------------------------------------------------------
    _case("preview_png_output", "cinegen_tf.preview", ["--output={tmp}/p1.png"],
          ["--output=", "p1.png", ".gif"], ["{tmp}/p1.png", "{tmp}/p1.gif"]),
    _case("preview_zero_sequences", "cinegen_tf.preview", ["--num=0", "--output={tmp}/p2.gif"],
          ["--num=0", ">= 1"], ["{tmp}/p2.gif", "{tmp}/p2.png"]),
    _case("preview_unknown_pattern", "cinegen_tf.preview",
          ["--pattern=spiral", "--output={tmp}/p3.gif"], ["--pattern=spiral", "eight"],
          ["{tmp}/p3.gif"]),
    _case("preview_zero_scale", "cinegen_tf.preview", ["--scale=0", "--output={tmp}/p4.gif"],
          ["--scale=0"], ["{tmp}/p4.gif"]),
    # --- the experiments runner --------------------------------------------------------
    _case("reproduce_unknown_table", "experiments.reproduce",
          ["--table=9", "--results_dir={tmp}/r1", "--workdir_root={tmp}/r1w"],
          ["--table=9"], ["{tmp}/r1", "{tmp}/r1w"]),
    _case("reproduce_unknown_pattern", "experiments.reproduce",
          ["--table=1", "--patterns=spiral", "--results_dir={tmp}/r2",
           "--workdir_root={tmp}/r2w"], ["spiral"], ["{tmp}/r2", "{tmp}/r2w"]),
    _case("reproduce_unknown_row", "experiments.reproduce",
          ["--table=1", "--rows=lstm", "--results_dir={tmp}/r3", "--workdir_root={tmp}/r3w"],
          ["lstm"], ["{tmp}/r3", "{tmp}/r3w"]),
    _case("reproduce_missing_table_flag", "experiments.reproduce",
          ["--results_dir={tmp}/r4"], ["--table"], ["{tmp}/r4"]),
    _case("reproduce_unknown_category", "experiments.reproduce",
          ["--table=2", "--categories=lava", "--results_dir={tmp}/r5",
           "--workdir_root={tmp}/r5w"], ["category", "lava"], ["{tmp}/r5", "{tmp}/r5w"]),
    _case("reproduce_bad_real_folder_name", "experiments.reproduce",
          ["--table=2", "--real_manual_dir={tmp}/My Data", "--results_dir={tmp}/r6",
           "--workdir_root={tmp}/r6w"], ["My Data: name its folder"], ["{tmp}/r6", "{tmp}/r6w"]),
    _case("reproduce_real_data_not_prepared", "experiments.reproduce",
          ["--table=2", "--scale=smoke", "--real_data_dir={tmp}/no_tfds2",
           "--results_dir={tmp}/r7", "--workdir_root={tmp}/r7w"],
          ["no prepared real_cinemagraphs", "no_tfds2"],
          ["{tmp}/r7", "{tmp}/r7w", "{tmp}/no_tfds2"]),
    _case("reproduce_missing_real_manual_dir", "experiments.reproduce",
          ["--table=3", "--scale=smoke", "--patterns=", "--real_data_dir={tmp}/tfds8",
           "--real_manual_dir={tmp}/no_clips8", "--results_dir={tmp}/r8",
           "--workdir_root={tmp}/r8w"], ["--real_manual_dir=", "no_clips8", "no such folder"],
          ["{tmp}/r8", "{tmp}/r8w", "{tmp}/tfds8"]),
    _case("ablation_unknown_variant", "experiments.ablation",
          ["--variants=bigger", "--results_dir={tmp}/a1", "--workdir_root={tmp}/a1w"],
          ["variant 'bigger'"], ["{tmp}/a1", "{tmp}/a1w"]),
    _case("still_share_photo_not_an_image", "experiments.still_share",
          ["--workdir={run}", "--photos={text}"], ["notes.jpg", "not a readable image"]),
    # --- a TFDS builder run by `tfds build` ----------------------------------------------
    _case("tfds_build_missing_manual_dir", "tfds",
          ["build", "datasets/real_cinemagraphs", "--config=fire",
           "--manual_dir={tmp}/no_clips", "--data_dir={tmp}/tfds"],
          ["--manual_dir", "no_clips", "does not exist"], ["{tmp}/tfds"]),
]


def _save_run(workdir, method="rnn_dqn", steps=(1,)):
    """A workdir as the trainer writes it (tiny model): config.json + ckpt-<step>s."""
    config = config_lib.base_config()
    config.method = method
    config.model.z_dim, config.model.num_actions, config.model.image_size = 4, 3, 16
    generator = methods.build_generator(config)
    checkpoints.write_config(config, workdir)
    checkpoint = tf.train.Checkpoint(generator=generator)
    manager = checkpoints.make_manager(checkpoint, workdir, max_to_keep=len(steps))
    for step in steps:
        manager.save(checkpoint_number=step)


def _run(case, paths):
    args = [a.format(**paths) for a in case["args"]]
    if case["binary"] == "tfds":
        command = [shutil.which("tfds") or "tfds", *args]
    else:
        command = [sys.executable, "-m", case["binary"], *args]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the binaries must quieten TensorFlow themselves
    env.pop("CINEGEN_VERBOSE", None)
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_inputs")
    paths = {"tmp": str(tmp), "run": str(tmp / "run"), "rnn_run": str(tmp / "rnn_run"),
             "corrupt": str(tmp / "corrupt"), "photo": str(tmp / "photo.png"),
             "text": str(tmp / "notes.jpg"), "file": str(tmp / "a_file")}
    _save_run(paths["run"])
    _save_run(paths["rnn_run"], method="rnn")
    _save_run(paths["corrupt"], steps=(1, 2))
    data = next(pathlib.Path(paths["corrupt"], "checkpoints").glob("ckpt-2.data-*"))
    with open(data, "r+b") as f:
        f.truncate(data.stat().st_size // 2)
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)).save(paths["photo"])
    pathlib.Path(paths["text"]).write_text("not a photo")
    pathlib.Path(paths["file"]).write_text("a file, not a folder")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {case["name"]: pool.submit(_run, case, paths) for case in CASES}
        return paths, {name: future.result() for name, future in futures.items()}


def test_there_are_at_least_30_cases_over_every_binary():
    assert len(CASES) >= 30 and len({c["name"] for c in CASES}) == len(CASES)
    assert {c["binary"] for c in CASES} == {
        "cinegen_tf.train", "cinegen_tf.evaluate", "cinegen_tf.generate", "cinegen_tf.export",
        "cinegen_tf.preview", "cinegen_tf.train_motion", "experiments.reproduce",
        "experiments.ablation", "experiments.still_share", "experiments.real_motion",
        "experiments.direction_prior", "experiments.quickstart_seeds", "tfds"}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input_ends_with_one_clean_line(case, results):
    paths, outcomes = results
    result = outcomes[case["name"]]
    output = result.stdout + result.stderr
    assert result.returncode not in (0, None), output
    assert "Traceback" not in output, output
    lines = result.stderr.strip().splitlines()
    # tfds build logs its own progress first; our binaries print nothing else.
    if case["binary"] != "tfds":
        assert len(lines) == 1, output
    line = lines[-1]
    assert line.startswith("error: "), output
    for part in case["message"]:
        assert part.format(**paths) in line, (part, line)
    for path in case["absent"]:
        assert not os.path.exists(path.format(**paths)), (path, line)


def test_runs_and_photos_given_are_left_as_they_were(results):
    paths, _ = results
    for run in ("run", "rnn_run", "corrupt"):
        names = sorted(os.listdir(paths[run]))
        assert names == ["checkpoints", "config.json"], (run, names)
    assert pathlib.Path(paths["file"]).read_text() == "a file, not a folder"
