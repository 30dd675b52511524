"""The dashboard's page scripts: ``st.navigation`` runs one per page (see :mod:`costmodel.ui.nav`).

Each is two lines that call :func:`costmodel.ui.nav.run_page`; the pages themselves are the
``*_page`` modules of :mod:`costmodel.ui`. They are files of the package (not of the repository)
so that an installed wheel has them: :func:`costmodel.ui.nav.page` finds them through
``importlib.resources``.
"""
