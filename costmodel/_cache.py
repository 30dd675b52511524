"""Where costmodel keeps what it can recompute: ``$COSTMODEL_CACHE_DIR``, or the user cache directory's
``costmodel/`` (the parsed vocabularies in ``vocab/``, the dashboard's first-view numbers in ``dashboard/``)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root"]

CACHE_ENV = "COSTMODEL_CACHE_DIR"


def cache_root() -> Path:
    """``$COSTMODEL_CACHE_DIR``, or the user cache directory's ``costmodel``."""
    root = os.environ.get(CACHE_ENV)
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("costmodel", appauthor=False)
    return Path(root)
