"""fixtures/schemas/ is generated from aployee_sim.contract.models and must not drift from them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aployee_sim import resources, schemas
from aployee_sim.schemas import DEFAULT_DIR, SCHEMAS, stale

REPOSITORY = Path(__file__).resolve().parents[2]


def test_committed_schemas_are_up_to_date():
    files = stale(DEFAULT_DIR)
    assert files == [], f"stale schemas: {files}; run `python -m aployee_sim.schemas` and commit fixtures/schemas/"


def test_stale_detects_a_changed_missing_or_extra_file(tmp_path):
    schemas.write(tmp_path)
    assert stale(tmp_path) == []
    (tmp_path / "call_details.json").write_text("{}\n")
    (tmp_path / "health.json").unlink()
    (tmp_path / "old_resource.json").write_text("{}\n")
    assert stale(tmp_path) == ["call_details.json", "health.json", "old_resource.json"]


def test_check_command_exit_codes(tmp_path):
    run = [sys.executable, "-m", "aployee_sim.schemas", "--out", str(tmp_path)]
    assert subprocess.run([*run, "--check"], capture_output=True).returncode == 1
    assert subprocess.run(run, capture_output=True).returncode == 0
    checked = subprocess.run([*run, "--check"], capture_output=True, text=True)
    assert checked.returncode == 0 and "up to date" in checked.stdout


def test_regeneration_targets_the_checkout_and_the_shipped_files_are_those():
    assert resources.source_root() == REPOSITORY
    assert resources.checkout_path(*schemas.FOLDER) == REPOSITORY / "fixtures" / "schemas"
    assert DEFAULT_DIR.resolve() == REPOSITORY / "fixtures" / "schemas"


def test_every_resource_and_payload_has_a_schema_with_exact_fields():
    assert {"call_created", "call_details", "call_list", "live_state", "call_transcript", "timeline", "latency",
            "webhook_request", "webhook_response", "assistant", "organization", "phone_number", "error_envelope",
            "health", "service_info", "create_call_request"} == set(SCHEMAS)
    details = schemas.load("call_details")
    assert details["additionalProperties"] is False  # never teach a field production does not send
    assert details["required"] == list(details["properties"])
    assert "from" in details["properties"] and "from_" not in details["properties"]
    request = schemas.load("create_call_request")
    assert request["required"] == ["assistant_id", "to"]
