"""Trains what a table needs, evaluates it and writes the table (experiments/reproduce.py).

For each run of the table (experiments/tables.py), in WORKDIR_ROOT/<scale>/<run name>:

- a run whose latest checkpoint is at the scale's final step is not trained again; a
  partial one resumes (train_lib); a workdir whose config.json differs from the run's
  config is refused, naming the differing keys (delete it or pick another root);
- the constant baseline has nothing to train and is only evaluated;
- so has our bundled motion model (`tables.MOTION`, real data only): each test clip's frame 0
  is animated by `cinegen_tf.motion.model.load_bundled()` at the clip's frame rate and
  scored like the others (`evaluate_motion`);
- evaluation (cinegen_tf.evaluation.eval_lib) writes DIR/result.json and is skipped when
  that file already scores the final step with the same settings.

Training wall time is the one logged with the final checkpoint (checkpoints.train_time:
summed over the sessions that resumed it, up to each one's last checkpoint), so a table
built from runs trained earlier, or over several sessions, still states what they cost.

Real data is named: a table's real columns trained on a data set other than the first
tables' (`real_clips`, 15 clips) go to their own table file, table<N>_<scale>_<tag>, and
their runs to WORKDIR_ROOT/<scale>/<tag>/<run name>, where the tag is `data_tag`, else
the manual_dir's folder name (`real_data_tag`); each invocation records the real data's
folder, data_dir and clips and sources per split (`describe_real_data`).

The table file is merged, not overwritten: the runs an earlier invocation wrote and this
one does not run are kept from table<N>_<scale>.json, with that invocation's times and
hardware (experiments/table_file.py), so a table can be filled column by column
(`patterns`, `categories`) or row by row (`rows`) over sessions that keep nothing but the
committed files; a file of another budget is refused before any training unless `fresh`.
A table whose runs were trained in float32 is extended in float32 on any hardware
(table_file.follow_float32).
"""
import json
import os
import re
import time

from absl import logging
import keras
import tensorflow as tf

from cinegen_tf.data import pipeline
from cinegen_tf.evaluation import eval_lib
from cinegen_tf.training import checkpoints, train_lib
from experiments import motion_row
from experiments import provenance
from experiments import report
from experiments import table_file
from experiments import tables

# Before the time was logged with checkpoints, runs kept it here (summed over sessions that
# ran to their end, so only a run trained in uninterrupted sessions has one): read for those.
LEGACY_RUN_FILE = "reproduce_run.json"
# The real data of the tables committed first: their files and workdirs carry no tag.
UNTAGGED_REAL_DATA = "real_clips"
_DATA_TAG = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def _flatten(d, prefix=""):
    out = {}
    for key, value in d.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


# How often a run is saved changes nothing it computes (resuming equals not stopping,
# tests/train_test.py), so a scale may change it under runs already started.
_BOOKKEEPING_KEYS = ("train.checkpoint_every", "train.keep_checkpoints")


def _check_same_config(config, workdir):
    """Raises if workdir/config.json exists and describes another run (bookkeeping aside)."""
    path = os.path.join(workdir, checkpoints.CONFIG_FILE)
    if not os.path.isfile(path):
        return
    with open(path) as f:
        old = _flatten(json.load(f))
    new = _flatten(json.loads(config.to_json_best_effort()))
    differing = sorted(k for k in set(old) | set(new)
                       if old.get(k) != new.get(k) and k not in _BOOKKEEPING_KEYS)
    if differing:
        details = ", ".join(f"{k}: {old.get(k)!r} there, {new.get(k)!r} now"
                            for k in differing[:5])
        raise ValueError(f"{path} describes another run ({details}); delete {workdir} or "
                         f"use another --workdir_root")


def trained_step(workdir):
    """Step of the latest checkpoint in workdir (0 when there is none)."""
    prefix = tf.train.latest_checkpoint(checkpoints.checkpoint_dir(workdir))
    return 0 if prefix is None else eval_lib.checkpoint_step(prefix)


def train_time(workdir):
    """{"train_seconds", "train_time_complete"} of the run's latest checkpoint.

    train_seconds is None when no time was logged at all (a run interrupted before the log
    existed); with train_time_complete False it is a lower bound.
    """
    logged = checkpoints.train_time(workdir, trained_step(workdir))
    if logged is not None:
        return {"train_seconds": logged["seconds"], "train_time_complete": logged["complete"]}
    legacy = os.path.join(workdir, LEGACY_RUN_FILE)
    if os.path.isfile(legacy):
        with open(legacy) as f:
            return {"train_seconds": float(json.load(f)["train_seconds"]),
                    "train_time_complete": True}
    return {"train_seconds": None, "train_time_complete": False}


def train_run(run, config, workdir, make_dataset=None):
    """Trains `run` unless done; returns {"trained_now", "steps"} and its `train_time`."""
    os.makedirs(workdir, exist_ok=True)
    _check_same_config(config, workdir)
    untrained = config.method in tables.UNTRAINED
    trained_now = not (untrained or trained_step(workdir) >= config.train.num_steps)
    if trained_now:
        logging.info("%s: training %d steps in %s.", run.name, config.train.num_steps, workdir)
        train_lib.run(config, workdir, make_dataset=make_dataset)
        keras.backend.clear_session()  # free the graphs before the next run
    else:
        logging.info("%s: nothing to train (%s).", run.name, f"{config.method}: no weights "
                     f"trained here" if untrained else f"final step {config.train.num_steps}")
    timing = ({"train_seconds": 0.0, "train_time_complete": True}
              if untrained else train_time(workdir))
    return dict(timing, trained_now=trained_now, steps=trained_step(workdir))


def evaluate_run(run, config, workdir, scale, make_dataset=None):
    """Evaluates the run's final checkpoint (or the constant baseline) -> result dict."""
    num = scale.num_test_sequences if run.data == "synthetic" else scale.real_num_test
    if config.method == tables.MOTION.method:
        return motion_row.evaluate_motion(config, workdir, num, scale.eval_batch_size, make_dataset)
    kwargs = dict(split="test", num_sequences=num, batch_size=scale.eval_batch_size,
                  overwrite=False, make_dataset=make_dataset)
    if config.method == "constant":
        result = eval_lib.run(config=config, workdir=workdir, **kwargs)
    else:
        result = eval_lib.run(workdir=workdir, **kwargs)
    keras.backend.clear_session()
    return result


def real_builder_module():
    """The real_cinemagraphs TFDS builder's module: the installed `cinegen_datasets` one, or
    (not pip-installed) datasets/real_cinemagraphs/ beside experiments/, loaded by path."""
    try:
        from cinegen_datasets.real_cinemagraphs import real_cinemagraphs_dataset_builder
        return real_cinemagraphs_dataset_builder
    except ImportError:
        pass
    import importlib.util
    import tensorflow_datasets as tfds

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "datasets", "real_cinemagraphs", "real_cinemagraphs_dataset_builder.py")
    # TFDS names a class `Builder` after its module, which must end in _dataset_builder;
    # not registered, so a copy imported otherwise cannot clash with it.
    spec = importlib.util.spec_from_file_location("real_cinemagraphs_dataset_builder", path)
    module = importlib.util.module_from_spec(spec)
    with tfds.core.registered.skip_registration():
        spec.loader.exec_module(module)
    return module


def real_data_tag(real_manual_dir=None, data_tag=None):
    """The name of a table's real data: `data_tag`, else the manual_dir's folder name.

    Returns None (no suffix: the table files committed first) for `UNTAGGED_REAL_DATA`
    or when neither is given (only a data_dir: the data is whatever was prepared there).

    Raises:
      ValueError: a tag that cannot be part of a file name (lowercase letters, digits,
        "_", "-", ".").
    """
    if data_tag is None and real_manual_dir is not None:
        data_tag = os.path.basename(os.path.normpath(os.fspath(real_manual_dir))).lower()
    if not data_tag or data_tag == UNTAGGED_REAL_DATA:
        return None
    if not _DATA_TAG.fullmatch(data_tag):
        raise ValueError(f"data tag {data_tag!r}: use lowercase letters, digits, '_', '-' "
                         f"and '.' (it names the table file)")
    return data_tag


def describe_real_data(categories, data_dir, manual_dir, tag):
    """What an invocation's real runs used, read from the prepared data: {"tag",
    "data_dir", "manual_dir", "clips": {category: {split: clips}}, "sources": {category:
    {split: sources that gave clips}}}."""
    import tensorflow_datasets as tfds

    from cinegen_tf.data import clips as clip_rules
    from cinegen_tf.data import real_pipeline

    num_clips, num_sources = {}, {}
    for category in categories:
        builder = real_pipeline.prepared_builder(category, data_dir)
        splits = [s for s in clip_rules.SPLITS if s in builder.info.splits]
        num_clips[category] = {s: builder.info.splits[s].num_examples for s in splits}
        num_sources[category] = {}
        for split in splits:
            examples = builder.as_dataset(split=split,
                                          decoders={"video": tfds.decode.SkipDecoding()})
            num_sources[category][split] = len({ex["source"] for ex in tfds.as_numpy(examples)})
    return {"tag": tag or UNTAGGED_REAL_DATA,
            "data_dir": None if data_dir is None else os.fspath(data_dir),
            "manual_dir": None if manual_dir is None else os.fspath(manual_dir),
            "clips": num_clips, "sources": num_sources}


def prepare_real_data(categories, data_dir, manual_dir):
    """Builds the real_cinemagraphs configs not yet prepared in `data_dir` from `manual_dir`."""
    from cinegen_tf.data import real_pipeline

    for category in categories:
        try:
            real_pipeline.prepared_builder(category, data_dir)
            continue
        except FileNotFoundError:
            if manual_dir is None:
                raise
        import tensorflow_datasets as tfds

        b = real_builder_module()
        logging.info("Preparing real_cinemagraphs/%s from %s in %s.", category, manual_dir,
                     data_dir)
        builder = b.Builder(config=category, data_dir=data_dir)
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=os.fspath(manual_dir)))


def reproduce(table_number, scale_name, *, patterns=tables.PATTERNS,
              categories=tables.CATEGORIES, workdir_root="workdirs/experiments",
              results_dir="experiments/results", real_data_dir=None, real_manual_dir=None,
              real_data_note=None, make_dataset=None, fresh=False, rows=None, data_tag=None):
    """Trains what table `table_number` needs at `scale_name`, evaluates, writes the table.

    The table written holds the runs run now and, unless `fresh`, those of the existing
    table<N>_<scale>[_<tag>].json that are not run now (kept as that file recorded them).

    Args:
      table_number: 1-5.
      scale_name: a key of tables.SCALES ("paper", "cpu", "smoke").
      patterns, categories: the synthetic patterns and real categories to fill (the
        table's other columns show only the paper's numbers).
      workdir_root: runs go to WORKDIR_ROOT/<scale>/<run name>.
      results_dir: where table<N>_<scale>.md and .json are written.
      real_data_dir: TFDS data_dir of the prepared real_cinemagraphs data.
      real_manual_dir: if given, real configs not yet prepared are built from it.
      real_data_note: a sentence on what the real data is (for the result file).
      make_dataset: the data pipeline (default cinegen_tf.data.pipeline.make_dataset).
      fresh: overwrite the table file with this invocation's runs instead of merging.
      rows: the row keys to fill (tables.Row.key, e.g. "rnn" or "small_z"); None: all.
      data_tag: the real data's name (`real_data_tag`; default the manual_dir's folder
        name): the table file of a table with real columns is table<N>_<scale>_<tag>, and
        its real runs train in WORKDIR_ROOT/<scale>/<tag>/<run name>.

    Returns:
      (markdown path, json path).

    Raises:
      ValueError: bad arguments, or (unless `fresh`) an existing table file that cannot be
        read back or whose kept runs were recorded at another budget.
    """
    if table_number not in tables.TABLES:
        raise ValueError(f"--table={table_number}: the paper's tables are {sorted(tables.TABLES)}")
    if scale_name not in tables.SCALES:
        raise ValueError(f"--scale={scale_name!r}: known scales {sorted(tables.SCALES)}")
    for value, allowed, what in ((patterns, tables.PATTERNS, "pattern"),
                                 (categories, tables.CATEGORIES, "category")):
        bad = [v for v in value if v not in allowed]
        if bad:
            raise ValueError(f"unknown {what} {bad}; known: {allowed}")
    table, scale = tables.TABLES[table_number], tables.SCALES[scale_name]
    keys = [row.key for row in table.all_rows]
    if rows is not None and (not rows or any(r not in keys for r in rows)):
        raise ValueError(f"rows {list(rows)}: table {table_number}'s rows are "
                         f"{[row.key for row in table.rows]}, and ours "
                         f"{[row.key for row in table.ours]}")
    patterns = tuple(patterns) if "synthetic" in table.data else ()
    categories = tuple(categories) if "real" in table.data else ()
    if not patterns and not categories:
        raise ValueError(f"table {table_number} needs at least one of "
                         f"{' / '.join(table.data)} columns")
    tag = real_data_tag(real_manual_dir, data_tag) if "real" in table.data else None
    path = table_file.stem(results_dir, table, scale, tag) + ".json"
    runs = tuple(dict.fromkeys(table.runs(patterns, categories, rows)))  # dedupe, keep order
    if not runs:
        raise ValueError(f"rows {list(rows)} have no runs on the chosen columns of table "
                         f"{table_number}")
    if not fresh:
        scale = table_file.follow_float32(path, scale)
        if all(run.method in tables.UNTRAINED for run in runs):
            scale = table_file.follow_trained_precision(path, scale)
    kept = ({}, []) if fresh else table_file.kept_runs(path, table, scale, runs, tag)
    real_data = None
    if categories and make_dataset is None:
        prepare_real_data(categories, real_data_dir, real_manual_dir)
        real_data = describe_real_data(categories, real_data_dir, real_manual_dir, tag)
    make_dataset = make_dataset or pipeline.make_dataset
    start, code = time.perf_counter(), provenance.code_version()
    records = {}
    for run in runs:
        config = tables.run_config(run, scale, real_data_dir)
        workdir = os.path.join(workdir_root, scale.name,
                               *([tag] if tag and run.data == "real" else []), run.name)
        training = train_run(run, config, workdir, make_dataset)
        result = evaluate_run(run, config, workdir, scale, make_dataset)
        records[run] = report.RunOutcome(run=run, workdir=workdir, config=config,
                                         training=training, result=result).record(table)
    invocation = provenance.invocation(time.perf_counter() - start, code, real_data_note,
                                       real_data)
    records, invocations = table_file.merge(*kept, records, invocation)
    return report.write_table(table, scale, records, invocations, results_dir, tag)

