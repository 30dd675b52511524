"""``costmodel jobs``: the recorded fine-tuning launches, refreshed from the provider.

Each launch is refreshed with the credential of its provider from the environment; a launch
whose job id was never stored (a killed process) is found on the server by its launch id. With
``--cancel`` the job of ``--launch-id`` is cancelled.
"""

from __future__ import annotations

import argparse
from contextlib import closing
from pathlib import Path
from typing import Any

from costmodel.cli._common import print_json, table
from costmodel.errors import CostmodelError, CredentialError, InputError
from costmodel.launch import cancel_launch, list_launches, refresh_launch, settings_from_record
from costmodel.launch.records import LaunchRecord
from costmodel.money import format_usd
from costmodel.secrets import AZURE_AD_TOKEN_ENV, AZURE_API_KEY_ENV, OPENAI_API_KEY_ENV, Secret, resolve_secret
from costmodel.store import connect

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("jobs", help="recorded fine-tuning launches and their status", description=__doc__)
    p.add_argument("--launch-id", metavar="ID")
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-refresh", action="store_true", help="show the store only; send nothing")
    p.add_argument("--cancel", action="store_true", help="cancel the job of --launch-id")
    p.add_argument("--db", type=Path, metavar="PATH")
    p.set_defaults(handler=run)


def _credential(record: LaunchRecord) -> tuple[Secret | None, str]:
    if record.provider == "openai":
        return resolve_secret(OPENAI_API_KEY_ENV), "api_key"
    key = resolve_secret(AZURE_API_KEY_ENV)
    if key is not None:
        return key, "api_key"
    return resolve_secret(AZURE_AD_TOKEN_ENV), "entra_token"


def _money(value: Any) -> str:
    return format_usd(value, precise=value is not None and abs(value) < 1)


def run(args: argparse.Namespace) -> int:
    if args.cancel and not args.launch_id:
        raise InputError("--cancel needs --launch-id", field="--launch-id")
    with closing(connect(args.db, create=False)) as conn:  # listing creates no folders
        records = list_launches(conn, launch_id=args.launch_id)
        if args.launch_id and not records:
            raise InputError(
                f"no launch {args.launch_id} in the store", field="--launch-id", hint="run `costmodel jobs`"
            )
        rows: list[tuple[LaunchRecord, str]] = []
        for record in records:
            note = ""
            credential, auth = _credential(record)
            if args.cancel and credential is None:
                raise CredentialError(
                    f"no credential to cancel {record.launch_id} on {record.provider}",
                    field="api key",
                    hint="set OPENAI_API_KEY"
                    if record.provider == "openai"
                    else "set AZURE_OPENAI_API_KEY (or AZURE_OPENAI_AD_TOKEN) with AZURE_OPENAI_ENDPOINT",
                )
            settings = settings_from_record(record, azure_auth=auth) if record.provider == "azure" else None
            try:
                if args.cancel:
                    record = cancel_launch(conn, record.launch_id, credential=credential, settings=settings)
                elif not args.no_refresh and not (record.job_id is None and record.status == "refused"):
                    snap = refresh_launch(conn, record.launch_id, credential=credential, settings=settings)
                    record, note = snap.record, snap.note
            except CostmodelError as exc:  # one unreachable launch must not hide the others
                if args.cancel:  # the one thing asked for failed: say so and exit non-zero
                    raise
                note = f"not refreshed: {exc}"
            rows.append((record, note))
    if args.json:
        print_json([{**r.summary(), "note": n} for r, n in rows])
        return 0
    if not rows:
        print("No launches recorded.")
        return 0
    print(
        table(
            [
                [
                    r.launch_id,
                    r.provider,
                    r.model,
                    r.status,
                    r.job_id or "-",
                    _money(r.estimated_cost_usd),
                    _money(r.actual_cost_usd),
                    _money(r.cost_difference_usd),
                ]
                for r, _ in rows
            ],
            ["launch id", "provider", "model", "status", "job", "estimate", "actual", "difference"],
        )
    )
    for r, n in rows:
        if n:
            print(f"{r.launch_id}: {n}")
        if r.error:
            print(f"{r.launch_id}: {r.error}")
    return 0
