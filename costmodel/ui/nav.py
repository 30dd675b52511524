"""The dashboard's pages. ``app.py`` builds ``st.navigation`` from :func:`pages`.

Each page is a two-line script in the package :mod:`costmodel.ui.pages` (so
``AppTest.switch_page("costmodel/ui/pages/whatif.py")`` works from ``app.py``, and an installed wheel
has the pages too) that calls :func:`run_page`, which imports the page module (only when the page is shown)
and calls its ``render()``.
"""

from __future__ import annotations

import importlib

import streamlit as st

from costmodel._bundled import package_dir
from costmodel.errors import CostmodelError

__all__ = ["PAGES_DIR", "page", "pages", "run_page"]

PAGES_DIR = package_dir("costmodel.ui.pages")

# url path -> (title, icon, module that holds render())
_PAGES: dict[str, tuple[str, str, str]] = {
    "decision": ("Decision", ":material/balance:", "costmodel.ui.decision_page"),
    "dataset": ("Dataset", ":material/dataset:", "costmodel.ui.dataset_page"),
    "whatif": ("What-if", ":material/tune:", "costmodel.ui.whatif_page"),
    "prices": ("Prices", ":material/sell:", "costmodel.ui.prices_page"),
    "latency": ("Latency", ":material/speed:", "costmodel.ui.latency_page"),
    "launch": ("Launch", ":material/rocket_launch:", "costmodel.ui.launch_page"),
}


def run_page(url_path: str) -> None:
    """Import the page's module and call its ``render()``."""
    _, _, module_name = _PAGES[url_path]
    module = importlib.import_module(module_name)
    try:
        if url_path == "latency":
            from costmodel.ui import state

            module.render(path_costs=state.latency_path_costs())  # latency next to each path's monthly cost
        else:
            module.render()
    except CostmodelError as exc:  # a safety net: pages catch their own, but never show a traceback
        # Every CostmodelError (bad input, an unusable store, a refused launch) is written for people.
        st.error(str(exc))


def page(url_path: str) -> st.Page:
    """The page object for ``url_path`` (also for ``st.page_link``)."""
    title, icon, _ = _PAGES[url_path]
    return st.Page(
        str(PAGES_DIR / f"{url_path}.py"), title=title, icon=icon, url_path=url_path, default=url_path == "decision"
    )


def pages() -> list[st.Page]:
    return [page(p) for p in _PAGES]
