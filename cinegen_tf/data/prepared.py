"""Finding a TFDS dataset that `tfds build` prepared, without importing its builder."""
import tensorflow_datasets as tfds


def prepared_builder(dataset: str, config_name: str, data_dir, build_hint: str):
    """The newest prepared version of `dataset/config_name` under `data_dir`.

    Reads the files TFDS wrote (`tfds.builder_from_directory`), so the builder code need
    not be importable.

    Args:
        dataset, config_name: e.g. "synthetic_cinemagraphs", "eight".
        data_dir: TFDS data_dir; None means TFDS's default (~/tensorflow_datasets).
        build_hint: the command that prepares it, for the error message; "{data_dir}" in
            it is replaced by the data_dir searched.

    Raises:
        FileNotFoundError: nothing prepared there; the message says how to build it.
    """
    data_dir = tfds.core.Path(data_dir or tfds.core.constants.DATA_DIR).expanduser()
    config_dir = data_dir / dataset / config_name
    versions = []
    if config_dir.is_dir():
        for path in config_dir.iterdir():
            if (path / "dataset_info.json").exists() and tfds.core.Version.is_valid(path.name):
                versions.append(tfds.core.Version(path.name))
    if not versions:
        raise FileNotFoundError(f"no prepared {dataset}/{config_name} under {data_dir}; "
                                f"build it from the repo root with: "
                                f"{build_hint.format(data_dir=data_dir)}")
    return tfds.builder_from_directory(str(config_dir / str(max(versions))))
