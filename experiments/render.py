"""Re-renders result tables from their .json, with no training or scoring.

    python -m experiments.render experiments/results/table*_cpu.json

The runner (experiments/reproduce.py) writes each table's .md and .json; after a change to how
tables are laid out, this rewrites both from the .json alone, so committed tables stay in the
current layout without rerunning hours of training. The numbers are still the runner's: the
cells are recomputed from the values recorded for each run. tests/table_file_test.py checks
that every committed .md is exactly what this renders from its .json.
"""
import dataclasses
import json
import os

from absl import app

from experiments import report
from experiments import table_file
from experiments import tables


def read(path):
    """(table, scale, records, invocations, data_tag) of the .json at `path`, as the runner
    wrote it.

    The scale is read in the precision the table's runs were trained in, whatever this CPU
    has (the cpu scale's precision otherwise follows the hardware).

    Raises:
      ValueError: naming `path`, if it cannot be read back (table_file.kept_runs).
    """
    try:
        with open(path) as f:
            data = json.load(f)
        table, scale = tables.TABLES[data["table"]], tables.SCALES[data["scale"]]
        trained = table_file.trained_precisions(data["runs"])
        data_tag = data.get("data_tag")
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"{path} is not a result table the runner wrote "
                         f"({type(e).__name__}: {e})") from e
    if len(trained) == 1:
        scale = dataclasses.replace(scale, mixed_precision=trained.pop())
    return (table, scale) + table_file.kept_runs(path, table, scale, (), data_tag) + (data_tag,)


def render(path, results_dir=None):
    """Rewrites table<N>_<scale>[_<data_tag>].md and .json from the .json at `path`;
    returns both paths.

    `results_dir`: where to write (default: beside `path`).
    """
    table, scale, records, invocations, data_tag = read(path)
    return report.write_table(table, scale, records, invocations,
                              results_dir or os.path.dirname(os.path.abspath(path)), data_tag)


def _main(argv):
    if len(argv) < 2:
        raise app.UsageError("name the table<N>_<scale>.json files to re-render")
    for path in argv[1:]:
        print("\n".join(render(path)))


def main():
    app.run(_main)


if __name__ == "__main__":
    main()
