"""A strict YAML reader for files we validate (scenarios): no duplicate keys, no sexagesimal numbers, bounded depth.

PyYAML's ``safe_load`` follows YAML 1.1, which reads ``1:30`` as the number 90 and lets a later
key silently replace an earlier one with the same name; both hide mistakes in a file we promise to
check strictly. It also recurses once per nesting level, so a file nested thousands deep ends in
``RecursionError``. :func:`load_strict` refuses all three with a ``yaml.YAMLError`` that carries
the line (``problem_mark``), so callers report them like any syntax error.

>>> load_strict("a: 1\\nb: [x, y]")
{'a': 1, 'b': ['x', 'y']}
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

__all__ = ["MAX_DEPTH", "StrictLoader", "load_strict"]

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (a scenario needs 3)."""


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, sexagesimal numbers and nesting deeper than MAX_DEPTH."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ConstructorError(
                    None,
                    None,
                    f"nested more than {MAX_DEPTH} levels deep (a scenario needs 3)",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Node] = {}
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                duplicate = False
            if duplicate:
                raise ConstructorError(
                    None,
                    None,
                    f"the key {key!r} appears twice (the second would silently replace the first)",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _no_sexagesimal(kind: str, base: Any) -> Any:
    def construct(loader: StrictLoader, node: ScalarNode) -> Any:
        if ":" in str(node.value):
            raise ConstructorError(
                None,
                None,
                f"{node.value!r} would be read as a base-60 {kind} (YAML 1.1); quote it if it is text "
                "or write the number plainly",
                node.start_mark,
            )
        return base(loader, node)

    return construct


StrictLoader.add_constructor(
    "tag:yaml.org,2002:int", _no_sexagesimal("number", yaml.SafeLoader.yaml_constructors["tag:yaml.org,2002:int"])
)
StrictLoader.add_constructor(
    "tag:yaml.org,2002:float", _no_sexagesimal("number", yaml.SafeLoader.yaml_constructors["tag:yaml.org,2002:float"])
)


def load_strict(text: str) -> Any:
    """Parse one YAML document with :class:`StrictLoader`."""
    return yaml.load(text, Loader=StrictLoader)
