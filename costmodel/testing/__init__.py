"""Test helpers that ship with the package: local fakes of remote services, on 127.0.0.1 only.

* :mod:`costmodel.testing.fake_chat_server`: streaming chat completions with controllable timing
  (latency benchmark tests and demos).
* :mod:`costmodel.testing.fake_openai_api`: files and fine-tuning jobs, OpenAI and Azure routes
  (launcher tests and demos); its provider state is in ``fake_openai_state``, its HTTP routes in
  ``fake_openai_http``.
* :mod:`costmodel.testing.tiny_gguf` and :mod:`costmodel.testing.llamacpp`: a random-weight model
  for llama-cpp-python's server (optional extra ``llamacpp``).

Names are imported lazily so ``python -m costmodel.testing.fake_chat_server`` runs cleanly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs, start_subprocess_server

__all__ = ["FakeChatServer", "ServerKnobs", "start_subprocess_server"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from costmodel.testing import fake_chat_server

        return getattr(fake_chat_server, name)
    raise AttributeError(f"module 'costmodel.testing' has no attribute {name!r}")
