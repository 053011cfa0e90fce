"""Our generator's row in the paper's tables: run only when asked for, shown beside the
paper's rows without paper numbers, the paper's cells untouched."""
import json

from experiments import reproduce

OURS_LABEL = "| Ours: layered (not in the paper) |"


def test_our_row_runs_only_when_named_and_joins_the_paper_rows(tmp_path, fake_make_dataset):
    kwargs = dict(workdir_root=str(tmp_path / "runs"), results_dir=str(tmp_path / "results"),
                  make_dataset=fake_make_dataset)
    md, js = reproduce.reproduce(4, "smoke", patterns=("eight",), **kwargs)
    paper_only = json.load(open(js))
    assert OURS_LABEL not in open(md).read()
    assert {c["row"] for c in paper_only["cells"]} == {"rnn", "rnn_dqn"}

    md, js = reproduce.reproduce(4, "smoke", patterns=("eight",), rows=("layered",), **kwargs)
    data, text = json.load(open(js)), open(md).read()
    ours = [c for c in data["cells"] if c["row"] == "layered"]
    assert ours and all(c["paper"] is None for c in ours)
    assert [c for c in data["cells"] if c["row"] != "layered"] == paper_only["cells"]
    assert OURS_LABEL + " **" in text and "(n/a)" in text
    assert data["records"] == [f"smoke/synthetic/synthetic-eight-{m}.float32.json"
                               for m in ("rnn", "rnn_dqn", "layered")]
