"""Launch for paths costmodel does not send: the exact command, the estimate, and a notice that nothing is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from costmodel.engine.usage import PathSpec
from costmodel.launch.external import external_launch

APP = Path(__file__).resolve().parent / "paths_launch_app.py"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (
            "together:llama-3.1-8b-instruct:ft",
            "--model meta-llama/Meta-Llama-3.1-8B-Instruct-Reference --n-epochs 4 --lora",
        ),
        ("fireworks:llama-v3p1-8b-instruct:ft", "--base-model accounts/fireworks/models/llama-v3p1-8b-instruct"),
        ("bedrock:llama-3.1-8b-instruct:ft@provisioned", "--base-model-identifier meta.llama3-1-8b-instruct-v1:0"),
        ("vertex:gemini-2.5-flash:ft", '"epochCount": 4'),
        ("selfhosted:llama-3.1-8b:qlora@g6.xlarge", "--num_train_epochs 4 --use_peft --lora_r 16 --load_in_4bit"),
    ],
)
def test_command_for_each_host(label: str, expected: str) -> None:
    what = external_launch(PathSpec.parse(label), epochs=4)
    assert what is not None
    assert expected in what.command
    assert "does not send" in what.notice
    assert "KEY" not in what.command.upper().replace("KEYS", "")  # no key is ever filled in


def test_openai_and_azure_keep_the_launch_flow() -> None:
    assert external_launch(PathSpec.parse("openai:gpt-4o-mini:ft"), epochs=3) is None
    assert external_launch(PathSpec.parse("azure:gpt-4.1-mini:ft@global"), epochs=3) is None


def test_launch_page_shows_command_and_estimate_without_sending() -> None:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["path"] = "selfhosted:llama-3.1-8b:lora@g6.xlarge"
    at.run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["Training (one-off)", "Running cost per month"]
    assert any("does not send" in w.value for w in at.warning)
    assert any("trl sft --model_name_or_path meta-llama/Llama-3.1-8B-Instruct" in c.value for c in at.code)
    assert not at.button  # no launch button for a path costmodel does not launch
