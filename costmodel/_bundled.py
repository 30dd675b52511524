"""Files shipped with costmodel, found through :mod:`importlib.resources`.

The repository keeps the data files in its top-level ``data/`` (the documented layout); the wheel
carries that directory as the package ``costmodel._data`` (``[tool.setuptools] package-dir`` in
``pyproject.toml``), and an editable install maps the same name onto ``data/``. So every reader asks
for ``costmodel._data`` and never builds a path from its own source file.

One case has no ``costmodel._data``: running from an uninstalled source checkout (``pytest``
with ``pythonpath = ["."]`` and no ``pip install -e .``). Then, and only when the checkout's
``pyproject.toml`` sits next to the package, the checkout's ``data/`` is used.
"""

from __future__ import annotations

import functools
import importlib.resources
from pathlib import Path

from costmodel.errors import CatalogError

__all__ = ["DATA_PACKAGE", "data_dir", "package_dir"]

DATA_PACKAGE = "costmodel._data"

_REINSTALL = "reinstall costmodel (pip install --force-reinstall costmodel) to restore its bundled files"


def package_dir(package: str) -> Path:
    """The directory of an installed package's files, as a real path (wheels install unzipped).

    Raises :class:`CatalogError` when the package is missing or not on a file system (a zip).
    """
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise CatalogError(f"the bundled files of {package} are missing", hint=_REINSTALL) from None
    if isinstance(root, Path):  # a regular package installed as files (every wheel install)
        return root
    raise CatalogError(f"the bundled files of {package} are not on the file system ({root})", hint=_REINSTALL)


@functools.cache
def data_dir() -> Path:
    """The directory of the bundled data files (``prices.csv``, ``models.csv``, ``sample/`` ...)."""
    try:
        return package_dir(DATA_PACKAGE)
    except CatalogError:
        checkout = importlib.resources.files("costmodel").joinpath("..")
        root = Path(str(checkout)).resolve()
        if (root / "pyproject.toml").is_file() and (root / "data" / "prices.csv").is_file():
            return root / "data"  # an uninstalled source checkout (see the module docstring)
        raise
