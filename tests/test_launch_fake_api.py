"""The fake OpenAI / Azure API itself: the rules it enforces are the ones the launcher relies on."""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx2
import openai
import pytest

from costmodel.testing.fake_openai_api import FakeOpenAIServer
from tests.launch_helpers import FAKE_AZURE_KEY, FAKE_KEY

LINES = b"".join(
    b'{"messages": [{"role": "user", "content": "q%d"}, {"role": "assistant", "content": "a"}]}\n' % i
    for i in range(12)
)


@pytest.fixture
def fake() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


def test_azure_routes_require_api_version_and_a_credential(fake: FakeOpenAIServer) -> None:
    assert httpx2.get(fake.url + "/openai/files", headers={"api-key": "k"}).status_code == 400
    assert httpx2.get(fake.url + "/openai/files?api-version=2024-10-21").status_code == 401
    assert httpx2.get(fake.url + "/openai/files?api-version=2024-10-21", headers={"api-key": "k"}).status_code == 200
    assert httpx2.get(fake.url + "/v1/files").status_code == 401
    assert httpx2.get(fake.url + "/v1/files", headers={"api-key": "k"}).status_code == 401  # OpenAI wants a bearer


def test_metadata_filter_and_pagination(fake: FakeOpenAIServer) -> None:
    client = openai.OpenAI(api_key=FAKE_KEY, base_url=fake.openai_base_url, max_retries=0)
    f = client.files.create(file=("d.jsonl", io.BytesIO(LINES)), purpose="fine-tune")
    ids = [
        client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=f.id, metadata={"k": str(i % 2)}).id
        for i in range(5)
    ]
    assert {j.id for j in client.fine_tuning.jobs.list(metadata={"k": "0"})} == {ids[0], ids[2], ids[4]}
    page = client.fine_tuning.jobs.list(limit=2)
    assert len(page.data) == 2 and page.has_more
    assert sorted(j.id for j in client.fine_tuning.jobs.list(limit=2)) == sorted(ids)  # the SDK follows `after`


def test_job_objects_parse_as_the_sdk_types_and_progress(fake: FakeOpenAIServer) -> None:
    clock = [1_000.0]
    with FakeOpenAIServer(clock=lambda: clock[0], validate_s=10, queue_s=10, run_s=10) as slow:
        client = openai.OpenAI(api_key=FAKE_KEY, base_url=slow.openai_base_url, max_retries=0)
        f = client.files.create(file=("d.jsonl", io.BytesIO(LINES)), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(
            model="gpt-4o-mini",
            training_file=f.id,
            method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
        )
        seen = []
        for t in (1_000, 1_015, 1_025, 1_031):
            clock[0] = t
            j = client.fine_tuning.jobs.retrieve(job.id)
            seen.append((j.status, j.trained_tokens, j.estimated_finish))
        # 12 lines; each line's bytes / 4 rounded up, summed, x 2 epochs (the fake's stand-in for tokens)
        per_epoch = sum(-(-len(line) // 4) for line in LINES.splitlines())
        assert seen == [
            ("validating_files", None, None),
            ("queued", None, 1_030),
            ("running", None, 1_030),
            ("succeeded", 2 * per_epoch, None),
        ]


def test_azure_suffix_and_training_type_rules(fake: FakeOpenAIServer) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=fake.url, api_key=FAKE_AZURE_KEY, api_version="2024-10-21", max_retries=0
    )
    f = client.files.create(file=("d.jsonl", io.BytesIO(LINES)), purpose="fine-tune")
    with pytest.raises(openai.BadRequestError, match="at most 18"):
        client.fine_tuning.jobs.create(model="gpt-4.1-mini", training_file=f.id, suffix="x" * 19)
    with pytest.raises(openai.BadRequestError, match="trainingType"):
        client.fine_tuning.jobs.create(model="gpt-4.1-mini", training_file=f.id, extra_body={"trainingType": "Fast"})
    job = client.fine_tuning.jobs.create(
        model="gpt-4.1-mini", training_file=f.id, metadata={"a": "b"}, extra_body={"trainingType": "Standard"}
    )
    assert job.metadata is None  # Azure does not document job metadata: the fake drops it


def test_uploads_keep_their_bytes_and_failures_are_recorded(fake: FakeOpenAIServer) -> None:
    client = openai.OpenAI(api_key=FAKE_KEY, base_url=fake.openai_base_url, max_retries=0)
    fake.add_fault("files.create", "drop_before")
    with pytest.raises(openai.APIConnectionError):
        client.files.create(file=("d.jsonl", io.BytesIO(LINES)), purpose="fine-tune")
    f = client.files.create(file=("d.jsonl", io.BytesIO(LINES)), purpose="fine-tune")
    assert fake.file_bytes(f.id) == LINES
    assert sorted((r.route, r.status or 0) for r in fake.requests) == [("files.create", 0), ("files.create", 200)]
