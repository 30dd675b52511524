"""costmodel dashboard: ``streamlit run app.py``. Builds the navigation; the pages live in costmodel/ui/."""

import streamlit as st

from costmodel.ui import nav, state

st.set_page_config(page_title="costmodel: fine-tune or not", page_icon=":material/balance:", layout="wide")
navigation = st.navigation(nav.pages())
state.current()  # read a shared link's scenario before any page draws a widget
navigation.run()
state.sync_url()
