"""The folders a TFDS build creates, removed again when the build fails.

`download_and_prepare` (what `tfds build` runs) creates, before it generates anything:

    <data_dir>/                          (and any missing folder above it)
      downloads/extracted/               the download manager's folders
      <name>/.config/metadata.json       the name of the builder's default config
      <name>/<config>/<version>.incomplete.../
                                         renamed to <version> on success; TFDS removes
                                         it on failure, but nothing else

so a failed build (a bad --manual_dir, an error while generating, Ctrl-C) left empty
folders behind, which look like a dataset that is there. `RemovedOnFailure`, a mixin of
our builders, removes on failure what that build created: the folders that did not exist
before it, if they are empty again (a folder another process filled is kept), and the
metadata file if it did not exist before. Folders that existed before, and every file of
an earlier good build, are never touched. The error itself is raised unchanged, so
`tfds build` still ends with its one line (`cinegen_tf.cli.install_excepthook`).
"""
import os

from absl import logging

METADATA = os.path.join(".config", "metadata.json")


def _created_leaves(builder, download_dir, download_config):
    """The deepest paths `download_and_prepare` creates (see the module docstring)."""
    root = os.fspath(builder.data_dir_root)
    downloads = os.fspath(download_dir or os.path.join(root, "downloads"))
    extract_dir = getattr(download_config, "extract_dir", None)
    version = os.fspath(builder.data_dir)
    return [version, os.path.join(os.path.dirname(os.path.dirname(version)), METADATA),
            os.fspath(extract_dir or os.path.join(downloads, "extracted"))]


def not_yet_there(paths):
    """Each path of `paths` and each folder above it that does not exist yet.

    Args:
      paths: list of str, absolute or relative.

    Returns:
      a list of absolute str, deepest first (the order to remove them in).
    """
    missing = set()
    for path in paths:
        if "://" in path:  # a remote data_dir (gs://...): left to its file system
            continue
        path = os.path.abspath(path)
        while not os.path.lexists(path) and path not in missing:
            missing.add(path)
            path = os.path.dirname(path)
    return sorted(missing, key=lambda p: (-p.count(os.sep), p))


def remove_created(paths):
    """Removes `paths` (from `not_yet_there`, taken before a build) after the build failed.

    The metadata file is removed; a folder is removed only if it is empty (one that is
    not, or is gone, is left as it is).

    Returns:
      the list of paths removed.
    """
    removed = []
    for path in paths:
        try:
            if path.endswith(os.sep + METADATA) and os.path.isfile(path):
                os.remove(path)
            elif os.path.isdir(path) and not os.path.islink(path):
                os.rmdir(path)  # only an empty folder: OSError otherwise
            else:
                continue
        except OSError:
            continue
        removed.append(path)
    return removed


class RemovedOnFailure:
    """Mixin, before `tfds.core.GeneratorBasedBuilder`: a failed `download_and_prepare`
    removes the folders (and metadata file) it created, then re-raises its error."""

    def download_and_prepare(self, *, download_dir=None, download_config=None, **kwargs):
        created = not_yet_there(_created_leaves(self, download_dir, download_config))
        try:
            return super().download_and_prepare(download_dir=download_dir,
                                                download_config=download_config, **kwargs)
        except BaseException:
            removed = remove_created(created)
            if removed:
                logging.info("%s: removed the %d folders (and metadata file) the failed "
                             "build had created under %s", self.name, len(removed),
                             os.path.commonpath(removed))
            raise
