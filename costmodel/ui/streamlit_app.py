"""The dashboard's entry script: builds the navigation and runs the chosen page.

``costmodel dashboard`` runs this file (``streamlit run`` on the installed package); ``app.py`` at the
top of the repository runs :func:`main` too, so ``streamlit run app.py`` is the same app.
"""

from __future__ import annotations

import streamlit as st

from costmodel.ui import nav, state

__all__ = ["main"]


def main() -> None:
    st.set_page_config(page_title="costmodel: fine-tune or not", page_icon=":material/balance:", layout="wide")
    navigation = st.navigation(nav.pages())
    state.current()  # read a shared link's scenario before any page draws a widget
    navigation.run()
    state.sync_url()


if __name__ == "__main__":  # streamlit runs this file as __main__
    main()
