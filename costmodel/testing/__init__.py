"""Test helpers that ship with the package: a local OpenAI-compatible streaming server.

See :mod:`costmodel.testing.fake_chat_server`. It listens on 127.0.0.1 only.
"""

from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs, start_subprocess_server

__all__ = ["FakeChatServer", "ServerKnobs", "start_subprocess_server"]
