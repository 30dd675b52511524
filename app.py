"""costmodel dashboard: ``streamlit run app.py`` (or ``costmodel dashboard``); app: costmodel/ui/streamlit_app.py."""

from costmodel.ui.streamlit_app import main

main()
