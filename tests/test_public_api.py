"""The public API is pinned: adding or removing a name is a deliberate change."""

import costmodel


def test_all_names_exist() -> None:
    for name in costmodel.__all__:
        assert hasattr(costmodel, name), name
