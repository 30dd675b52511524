"""Not code: this file makes ``data/`` the package ``costmodel._data`` in an install (see ``pyproject.toml``).

The wheel carries these files under ``costmodel/_data/`` and an editable install maps that name
onto this directory, so costmodel reads them with ``importlib.resources`` (``costmodel/_bundled.py``).
"""
