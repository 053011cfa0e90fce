"""Reproduces one of the paper's Tables 1-5: trains and scores what is missing, renders the table.

    python -m experiments.reproduce --table=1 --scale=cpu --patterns=eight --rows=mathieu
    python -m experiments.reproduce --table=2 --scale=cpu \
        --real_data_dir=workdirs/tfds83 --real_manual_dir=../shared/data/real_cinemagraphs

A run trains in WORKDIR_ROOT/<scale>/<data tag>-<data version>/<run>.<precision> (resumed; a
workdir of another config is refused); its record (experiments/records.py) is kept in its
result.json and RESULTS_DIR/runs/, from which alone the table is rendered (report.py).
"""
from cinegen_tf import cli

cli.quiet_tensorflow()  # the tables' configs import TensorFlow

import dataclasses  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402

from absl import flags  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402

from cinegen_datasets import real_cinemagraphs, synthetic_cinemagraphs  # noqa: E402
from cinegen_tf.data import pipeline, real_pipeline  # noqa: E402
from cinegen_tf.evaluation import eval_lib, result_file  # noqa: E402
from cinegen_tf.training import checkpoints, precision as precision_lib, train_lib  # noqa: E402
from experiments import motion_row, records, report, tables  # noqa: E402

flags.DEFINE_integer("table", None, "Which table of the paper: 1-5.")
flags.DEFINE_enum("scale", "cpu", sorted(tables.SCALES), "Budget (experiments/tables.py).")
flags.DEFINE_list("patterns", list(tables.PATTERNS), "Synthetic patterns to run.")
flags.DEFINE_list("categories", list(tables.CATEGORIES), "Real categories to run; empty: none.")
flags.DEFINE_list("rows", None, "Row keys (rnn, small_z, ...; ours: layered, motion).")
flags.DEFINE_enum("precision", "auto", ["auto", "float32", "bfloat16"], "auto: the scale's.")
flags.DEFINE_string("workdir_root", "workdirs/experiments", "Where runs train.")
flags.DEFINE_string("results_dir", "experiments/results", "Tables; run records in its runs/.")
flags.DEFINE_string("real_data_dir", None, "TFDS data_dir of real_cinemagraphs.")
flags.DEFINE_string("real_manual_dir", None, "Build real configs not prepared from this "
                    "folder; its name tags the data's tables.")
flags.DEFINE_string("real_data_note", None, "A sentence on the real data.")
flags.mark_flag_as_required("table")


def real_data_tag(real_manual_dir=None):
    """The real data's tag, which names its records and table files: the manual_dir's
    folder name in lowercase, else report.UNTAGGED ("real_clips", the 15 clips)."""
    tag = real_manual_dir and os.path.basename(os.path.normpath(real_manual_dir)).lower()
    if tag and not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", tag):
        raise ValueError(f"--real_manual_dir={real_manual_dir}: name its folder with letters, "
                         f"digits, '_', '-' and '.' (the name tags the data's tables)")
    return tag or report.UNTAGGED


def prepare_real_data(categories, data_dir, manual_dir):
    """Builds the real_cinemagraphs configs not yet prepared in `data_dir` from `manual_dir`."""
    for category in categories:
        try:
            real_pipeline.prepared_builder(category, data_dir)
        except FileNotFoundError:
            if manual_dir is None:
                raise
            if not os.path.isdir(manual_dir):
                raise ValueError(f"--real_manual_dir={manual_dir}: no such folder") from None
            builder = real_cinemagraphs.Builder(config=category, data_dir=data_dir)
            builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
                manual_dir=os.fspath(manual_dir)))


def describe_data(kind, subset, tag, data_dir=None, manual_dir=None, note=None):
    """A record's "data" (experiments/records.py); real data read from its prepared copy."""
    if kind == "synthetic":
        return {"kind": kind, "subset": subset, "tag": "synthetic", "source": "procedural",
                "version": str(synthetic_cinemagraphs.Builder.VERSION)}
    builder = real_pipeline.prepared_builder(subset, data_dir)
    splits = [s for s in ("train", "test") if s in builder.info.splits]
    sources = {s: len({ex["source"] for ex in tfds.as_numpy(builder.as_dataset(
        split=s, decoders={"video": tfds.decode.SkipDecoding()}))}) for s in splits}
    return {"kind": kind, "subset": subset, "tag": tag, "version": str(builder.info.version),
            "data_dir": data_dir and os.fspath(data_dir),
            "manual_dir": manual_dir and os.fspath(manual_dir),
            "clips": {s: builder.info.splits[s].num_examples for s in splits},
            "sources": sources, **({"note": note} if note else {})}


def check_same_config(config, workdir):
    """Raises if workdir/config.json describes another run (how often it saves aside)."""
    path = os.path.join(workdir, checkpoints.CONFIG_FILE)
    if os.path.isfile(path):
        with open(path) as f:
            old = records.flatten(json.load(f))
        new = records.flatten(json.loads(config.to_json_best_effort()))
        differing = [f"{k}: {old.get(k)!r} there, {new.get(k)!r} now" for k in sorted(
            set(old) | set(new)) if old.get(k) != new.get(k) and k not in (
                "train.checkpoint_every", "train.keep_checkpoints")]
        if differing:
            raise ValueError(f"{path} describes another run ({', '.join(differing[:5])}); "
                             f"delete {workdir} or use another --workdir_root")


def train_and_score(run, config, workdir, scale, make_dataset=None):
    """Trains `run` up to its final step unless there, and scores it (or its weightless
    method) -> ({"train_seconds" (None: not logged), "train_time_complete"}: from the log
    kept with its checkpoints, result.json's dict)."""
    os.makedirs(workdir, exist_ok=True)
    check_same_config(config, workdir)
    logged = {"seconds": 0.0, "complete": True}
    if run.method not in tables.UNTRAINED:
        prefix = tf.train.latest_checkpoint(checkpoints.checkpoint_dir(workdir))
        if prefix is None or eval_lib.checkpoint_step(prefix) < config.train.num_steps:
            train_lib.run(config, workdir, make_dataset=make_dataset or pipeline.make_dataset)
            keras.backend.clear_session()  # free the graphs before the next run
        logged = checkpoints.train_time(workdir, config.train.num_steps) or {"complete": False}
    num = scale.num_test_sequences if run.data == "synthetic" else scale.real_num_test
    if config.method == tables.MOTION.method:
        result = motion_row.evaluate_motion(config, workdir, num, scale.eval_batch_size,
                                            make_dataset)
    else:
        result = eval_lib.run(workdir=workdir, split="test", num_sequences=num,
                              batch_size=scale.eval_batch_size, overwrite=False,
                              make_dataset=make_dataset,
                              config=config if config.method == "constant" else None)
    keras.backend.clear_session()
    return {"train_seconds": logged.get("seconds"),
            "train_time_complete": logged["complete"]}, result


def reproduce(table, scale, *, patterns=tables.PATTERNS, categories=tables.CATEGORIES,
              rows=None, precision="auto",
              workdir_root="workdirs/experiments", results_dir="experiments/results",
              real_data_dir=None, real_manual_dir=None, real_data_note=None, make_dataset=None):
    """Trains and scores the chosen runs of table number `table` at scale `scale` (a name),
    then renders the table; returns its (md, json) paths. Args mirror the flags (`rows`
    None: the paper's); `make_dataset` (tests): the data pipeline, whose real data is then
    described by its tag only. Raises ValueError (FileNotFoundError: real data) before
    anything is written."""
    table_number, scale_name = table, scale
    table, scale = tables.TABLES.get(table_number), tables.SCALES.get(scale_name)
    if table is None or scale is None:
        raise ValueError(f"--table={table_number} --scale={scale_name}: the paper's tables "
                         f"are {sorted(tables.TABLES)}, scales {sorted(tables.SCALES)}")
    for value, allowed, what in ((patterns, tables.PATTERNS, "pattern"),
                                 (categories, tables.CATEGORIES, "category"),
                                 (rows or (), [r.key for r in table.rows + table.ours], "row")):
        if [v for v in value if v not in allowed]:
            raise ValueError(f"unknown {what} {[v for v in value if v not in allowed]}; "
                             f"table {table_number} knows {list(allowed)}")
    tag = real_data_tag(real_manual_dir) if "real" in table.data else report.UNTAGGED
    runs = tuple(dict.fromkeys(table.runs(
        patterns if "synthetic" in table.data and tag == report.UNTAGGED else (),
        categories if "real" in table.data else (), rows)))
    if not runs:
        raise ValueError(f"table {table_number} has no runs for rows {rows}, patterns "
                         f"{list(patterns)}, categories {list(categories)} and data {tag}")
    if precision != "auto":
        scale = dataclasses.replace(scale, mixed_precision=precision == "bfloat16")
    real = sorted({run.subset for run in runs if run.data == "real"})
    if real and make_dataset is None:
        prepare_real_data(real, real_data_dir, real_manual_dir)
    data = {(run.data, run.subset): {"kind": run.data, "subset": run.subset, "tag": tag,
                                     "version": None} if make_dataset and run.data == "real"
            else describe_data(run.data, run.subset, tag, real_data_dir, real_manual_dir,
                               real_data_note) for run in runs}
    code, hardware = records.code_version(), records.hardware()
    for run in runs:
        config, d = tables.run_config(run, scale, real_data_dir), data[run.data, run.subset]
        workdir = os.path.join(workdir_root, scale.name, f"{d['tag']}-{d['version']}",
                               f"{run.name}.{precision_lib.label(config.train.mixed_precision)}")
        training, result = train_and_score(run, config, workdir, scale, make_dataset)
        if "record" not in result:  # scored now: eval_lib drops the record of older scores
            result["record"] = records.make(run, config, scale.name, d, result, training, code,
                                            hardware)
            checkpoints.write_atomically(os.path.join(workdir, result_file.RESULT_FILE),
                                         json.dumps(result, indent=1) + "\n")
        records.write(os.path.join(results_dir, "runs"), result["record"])
    return report.write(table, tables.SCALES[scale_name], results_dir, tag)


def main(argv):
    del argv
    values = {k: flags.FLAGS[k].value for k in inspect.signature(reproduce).parameters
              if k in flags.FLAGS}
    values.update({k: [v for v in values[k] if v] for k in ("patterns", "categories")})
    print("\n".join(reproduce(**values)))


if __name__ == "__main__":
    cli.run(main)
