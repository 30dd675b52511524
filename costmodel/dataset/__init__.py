"""Training-file analysis: validate a JSONL fine-tuning file and count its billed tokens, offline.

:func:`analyze_file` (or :func:`analyze_bytes` for an upload) streams the file, checks every
line and counts each example's tokens with the right encoding for the model
(:mod:`costmodel.dataset.tokens`), then returns a frozen :class:`DatasetAnalysis`: examples, billed
tokens (Σ min(training context, tokens)), default epochs (OpenAI's heuristic), trained tokens,
statistics and every :class:`Problem` found, counted by code.

Formats: chat (``messages`` with system/user/assistant/tool roles, ``name``, ``tool_calls``,
legacy ``function_call``, ``weight`` 0/1 on assistant messages, ``tools`` and
``parallel_tool_calls`` per example) and preference/DPO (``input``, ``preferred_output``,
``non_preferred_output``).

Problem codes (severity; ``error`` blocks a launch), see :data:`CODES` for the fix hints:

=========================== ======== ===========================================================
code                        severity when
=========================== ======== ===========================================================
no_examples                 error    the file holds no JSON object line (empty, blank lines...)
unsupported_format          error    an object that is neither chat nor DPO (e.g. prompt/completion),
                                     or a chat/DPO file for babbage-002 / davinci-002
too_few_examples            error    fewer than 10 examples
file_too_large              error    over 512,000,000 bytes (providers' upload limit)
unknown_training_context    warning  the registry has no training context for the model
model_not_fine_tunable      warning  the registry says the model cannot be fine-tuned
line_too_long               error    a line over 16 MiB (not read)
blank_line                  warning  an empty line (a final line end is not one)
invalid_utf8                error    bytes that are not UTF-8
invalid_json                error    not JSON (truncated line, NaN, a BOM inside the file...)
not_an_object               error    a JSON array, string or number instead of an object
format_mismatch             error    a DPO example in a chat file, or the reverse
missing_messages            error    ``messages`` (or ``input.messages``) absent, empty or not a list
message_not_object          error    a message that is not an object
missing_role                error    a message without ``role``
unrecognized_role           error    a role other than system/user/assistant/tool/function
missing_content             error    content absent, null or empty (allowed with tool calls)
invalid_type                error    a number where a string belongs, bad content part...
unrecognized_key            error    a message key outside the documented ones
unrecognized_example_key    warning  an example key outside the documented ones
invalid_weight              error    weight not 0/1, or on a non-assistant message
invalid_tool_call           error    malformed ``tool_calls`` / ``function_call``
tool_arguments_not_json     warning  tool-call ``arguments`` is not valid JSON text
missing_tool_call_id        error    a tool message without ``tool_call_id``
invalid_tools               error    malformed ``tools`` / ``functions`` list
no_assistant_message        error    no assistant message
all_weights_zero            warning  every assistant message has weight 0
no_system_message           warning  no system message (cookbook warning)
no_user_message             warning  no user message (cookbook warning)
invalid_dpo_output          error    a DPO output list missing, empty or without assistant message
duplicate_example           warning  same bytes as an earlier example line
example_too_long            warning  over the model's training context: truncated, billed at the cap
=========================== ======== ===========================================================

Corrections over the OpenAI cookbook notebook: ``weight``, tool calls, ``tools`` and content
parts are accepted and counted; ``content: null`` with a call is valid; percentiles are the
true 5th and 95th (the notebook printed the 10th and 90th as "p5/p95"); malformed lines are
reported with their number instead of aborting the run.

Billing figures (OpenAI's fine-tuning billing: trained tokens = tokens in the file x epochs):

* ``billed_tokens`` = Σ over examples of min(training context, tokens): an example longer than
  the model's training context is truncated and billed at the cap. The context comes from the
  model registry (``data/models.csv``; the given provider's entry, else the first fine-tunable
  one) or ``training_context_tokens``.
* ``n_epochs``: the user's, or OpenAI's default heuristic
  (:func:`costmodel.engine.training.default_epochs`; constants ``TARGET_EPOCHS`` = 3,
  ``MIN_TARGET_EXAMPLES`` = 100, ``MAX_TARGET_EXAMPLES`` = 25,000, ``MIN_DEFAULT_EPOCHS`` = 1,
  ``MAX_DEFAULT_EPOCHS`` = 25): 3, or min(25, 100 // n) when 3n < 100, or max(1, 25,000 // n)
  when 3n > 25,000. 0 when the file has no example.
* ``trained_tokens`` = ``billed_tokens`` × ``n_epochs``; :func:`training_costs` prices it on
  every provider and tier through :func:`costmodel.engine.training.estimate_training`.
* Weight-0 assistant messages are billed like the others (they change the loss, not the input).

Duplicates are lines with the same bytes (after trimming whitespace and a BOM) as an earlier
example, found from a 64-bit hash per example; a difference in key order or spacing is not a
duplicate.

Memory: the file is streamed in 1 MiB chunks; per example the analysis keeps about 30 bytes
(token counts, line number, hash) plus the ``per_example_tokens`` tuple of the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costmodel._lazy import lazy_exports

if TYPE_CHECKING:
    from costmodel.dataset._analyze import (
        FILE_SIZE_LIMIT_BYTES,
        MIN_EXAMPLES,
        analyze_bytes,
        analyze_file,
        training_costs,
    )
    from costmodel.dataset._lines import CODES, MAX_DETAILS_PER_CODE, MAX_LINE_BYTES, SUPPORTED_FORMATS
    from costmodel.dataset._models import DatasetAnalysis, DatasetStats, Distribution, Problem

__all__ = [
    "CODES",
    "FILE_SIZE_LIMIT_BYTES",
    "MAX_DETAILS_PER_CODE",
    "MAX_LINE_BYTES",
    "MIN_EXAMPLES",
    "SUPPORTED_FORMATS",
    "DatasetAnalysis",
    "DatasetStats",
    "Distribution",
    "Problem",
    "analyze_bytes",
    "analyze_file",
    "training_costs",
]

_EXPORTS = {
    "CODES": "_lines",
    "FILE_SIZE_LIMIT_BYTES": "_analyze",
    "MAX_DETAILS_PER_CODE": "_lines",
    "MAX_LINE_BYTES": "_lines",
    "MIN_EXAMPLES": "_analyze",
    "SUPPORTED_FORMATS": "_lines",
    "DatasetAnalysis": "_models",
    "DatasetStats": "_models",
    "Distribution": "_models",
    "Problem": "_models",
    "analyze_bytes": "_analyze",
    "analyze_file": "_analyze",
    "training_costs": "_analyze",
}
"""Where each public name lives. Names are imported on first use (PEP 562): the submodules a
worker or the command's early count (:mod:`costmodel.dataset._prefetch`) needs (``_lines``,
``_reader``, ``tokens``) load without pydantic or the price catalogue."""


__getattr__, __dir__ = lazy_exports(__name__, {k: f".{v}" for k, v in _EXPORTS.items()}, __all__)
