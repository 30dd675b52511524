"""The prices page (st.navigation runs this file; the page itself is costmodel/ui/prices_page.py)."""

from costmodel.ui.nav import run_page

run_page("prices")
