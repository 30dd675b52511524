"""The exact command or API request a user would run to fine-tune on a provider costmodel does not launch.

costmodel launches jobs on OpenAI and Azure OpenAI only. For Amazon Bedrock, Google Vertex AI,
Together AI, Fireworks AI and self-hosted GPUs it shows what to run, filled in from the path and
the training volume, and sends nothing. Placeholders the user must supply are written in capitals
(``FILE_ID``, ``s3://BUCKET/...``); no key or token is ever filled in.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from costmodel.engine.usage import PathSpec
from costmodel.prices import Provider

__all__ = ["ExternalLaunch", "external_launch"]

_HF_REPO = {
    "llama-3.1-8b": "meta-llama/Llama-3.1-8B-Instruct",
    "llama-3.1-70b": "meta-llama/Llama-3.1-70B-Instruct",
    "qwen2.5-7b": "Qwen/Qwen2.5-7B-Instruct",
    "qwen2.5-72b": "Qwen/Qwen2.5-72B-Instruct",
    "mistral-7b": "mistralai/Mistral-7B-Instruct-v0.3",
}
_TOGETHER = {
    "llama-3.1-8b-instruct": "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    "llama-3.1-70b-instruct": "meta-llama/Meta-Llama-3.1-70B-Instruct-Reference",
    "qwen2.5-7b-instruct": "Qwen/Qwen2.5-7B-Instruct",
    "qwen2.5-72b-instruct": "Qwen/Qwen2.5-72B-Instruct",
}
_BEDROCK = {"llama-3.1-8b-instruct": "meta.llama3-1-8b-instruct-v1:0"}


@dataclass(frozen=True)
class ExternalLaunch:
    """What to run (``language``: ``bash`` or ``json``) and where it is documented."""

    title: str
    command: str
    language: str
    docs_url: str
    notice: str = "costmodel does not send this request: run it yourself after checking the estimate."


def external_launch(path: PathSpec, *, epochs: int, hf_repo: str | None = None) -> ExternalLaunch | None:
    """The command for ``path``, or ``None`` for OpenAI and Azure (costmodel launches those itself)."""
    q = shlex.quote
    if path.provider in (Provider.OPENAI, Provider.AZURE):
        return None
    if path.provider == Provider.TOGETHER:
        model = _TOGETHER.get(path.model, path.model)
        lora = "--lora" if path.tier != "full" else "--no-lora"
        return ExternalLaunch(
            "Together AI fine-tuning job (Together CLI)",
            f"together files upload train.jsonl   # prints FILE_ID\n"
            f"together fine-tuning create --training-file FILE_ID --model {q(model)} --n-epochs {epochs} {lora}",
            "bash",
            "https://docs.together.ai/docs/fine-tuning-cli",
        )
    if path.provider == Provider.FIREWORKS:
        return ExternalLaunch(
            "Fireworks AI supervised fine-tuning job (firectl)",
            "firectl create dataset my-dataset train.jsonl\n"
            f"firectl create sftj --base-model accounts/fireworks/models/{q(path.model)} "
            f"--dataset my-dataset --output-model my-tuned-model --epochs {epochs}",
            "bash",
            "https://docs.fireworks.ai/fine-tuning/supervised-fine-tuning",
        )
    if path.provider == Provider.BEDROCK:
        base = _BEDROCK.get(path.model, path.model)
        return ExternalLaunch(
            "Amazon Bedrock model customisation job (AWS CLI)",
            "aws bedrock create-model-customization-job \\\n"
            "  --job-name my-tuning-job --custom-model-name my-custom-model \\\n"
            "  --role-arn arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME \\\n"
            f"  --base-model-identifier {q(base)} --customization-type FINE_TUNING \\\n"
            "  --training-data-config s3Uri=s3://BUCKET/train.jsonl \\\n"
            "  --output-data-config s3Uri=s3://BUCKET/output/ \\\n"
            f"  --hyper-parameters epochCount={epochs}",
            "bash",
            "https://docs.aws.amazon.com/bedrock/latest/userguide/model-customization-submit.html",
        )
    if path.provider == Provider.VERTEX:
        body = {
            "baseModel": path.model,
            "supervisedTuningSpec": {
                "trainingDatasetUri": "gs://BUCKET/train.jsonl",
                "hyperParameters": {"epochCount": epochs},
            },
            "tunedModelDisplayName": "my-tuned-model",
        }
        return ExternalLaunch(
            "Google Vertex AI supervised tuning job (REST)",
            'curl -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" '
            '-H "Content-Type: application/json" \\\n'
            "  https://REGION-aiplatform.googleapis.com/v1/projects/PROJECT_ID/locations/REGION/tuningJobs \\\n"
            f"  -d {q(json.dumps(body))}",
            "bash",
            "https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini-use-supervised-tuning",
        )
    repo = hf_repo or _HF_REPO.get(path.model, path.model)
    if path.method is None:
        train = "# a base path: nothing to train"
    else:
        peft = {"lora": "--use_peft --lora_r 16", "qlora": "--use_peft --lora_r 16 --load_in_4bit", "full": ""}[
            path.method
        ]
        train = (
            f"trl sft --model_name_or_path {q(repo)} --dataset_name train.jsonl "
            f"--num_train_epochs {epochs} {peft} --output_dir out".replace("  ", " ")
        )
    if path.method == "full":
        serve = "vllm serve out"
    else:
        serve = f"vllm serve {q(repo)}" + (" --enable-lora --lora-modules tuned=out" if path.method else "")
    return ExternalLaunch(
        f"Self-hosted on {path.tier}: train with Hugging Face TRL, serve with vLLM",
        f"# on the {path.tier} instance\n{train}\n{serve}",
        "bash",
        "https://huggingface.co/docs/trl/clis",
    )
