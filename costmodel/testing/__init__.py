"""Test helpers that ship with the package: local fakes of remote services, on 127.0.0.1 only.

* :mod:`costmodel.testing.fake_chat_server`: streaming chat completions with controllable timing
  (latency benchmark tests and demos).
* :mod:`costmodel.testing.fake_openai_api`: files and fine-tuning jobs, OpenAI and Azure routes
  (launcher tests and demos).
"""

from costmodel.testing.fake_chat_server import FakeChatServer, ServerKnobs, start_subprocess_server

__all__ = ["FakeChatServer", "ServerKnobs", "start_subprocess_server"]
