"""Test helpers that ship with the package: local fakes of remote services (127.0.0.1 only).

See :mod:`costmodel.testing.fake_chat_server` (an OpenAI-compatible streaming chat server) and
:mod:`costmodel.testing.fake_openai_api` (files and fine-tuning jobs, OpenAI and Azure routes).
"""

from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs, start_subprocess_server

__all__ = ["FakeChatServer", "ServerKnobs", "start_subprocess_server"]
