"""TFDS builder `synthetic_cinemagraphs` (Sec. 4.1): `Builder`, `SyntheticCinemagraphsConfig`.

The builder module is imported (and the dataset registered with TFDS) on first access to
either name, not when this package is imported: pytest imports this folder under its own
package name, and TFDS refuses to register one dataset name twice.
"""
import importlib

_EXPORTS = ("Builder", "SyntheticCinemagraphsConfig")


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(".synthetic_cinemagraphs_dataset_builder", __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
