"""The dashboard's pages. ``app.py`` builds ``st.navigation`` from :func:`pages`.

The Latency and Launch pages belong to their own issues: their modules are imported lazily, and
while a module is absent its page says so in one line.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

__all__ = ["LATER_PAGES", "page", "pages"]

# url path -> (title, icon, module that holds render())
_PAGES: dict[str, tuple[str, str, str]] = {
    "decision": ("Decision", ":material/balance:", "costmodel.ui.decision_page"),
    "dataset": ("Dataset", ":material/dataset:", "costmodel.ui.dataset_page"),
    "whatif": ("What-if", ":material/tune:", "costmodel.ui.whatif_page"),
    "prices": ("Prices", ":material/sell:", "costmodel.ui.prices_page"),
    "latency": ("Latency", ":material/speed:", "costmodel.ui.latency_page"),
    "launch": ("Launch", ":material/rocket_launch:", "costmodel.ui.launch_page"),
}
LATER_PAGES = {"latency": "the latency issue", "launch": "the launch issue"}


def _runner(url_path: str) -> Callable[[], None]:
    module_name = _PAGES[url_path][2]

    def run() -> None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name or url_path not in LATER_PAGES:
                raise
            st.title(_PAGES[url_path][0])
            st.info(f"This page arrives with {LATER_PAGES[url_path]} ({module_name}).")
            return
        module.render()

    run.__name__ = f"page_{url_path}"
    return run


def page(url_path: str) -> st.Page:
    """The page object for ``url_path`` (for ``st.page_link``)."""
    title, icon, _ = _PAGES[url_path]
    return st.Page(_runner(url_path), title=title, icon=icon, url_path=url_path, default=url_path == "decision")


def pages() -> list[st.Page]:
    return [page(p) for p in _PAGES]
