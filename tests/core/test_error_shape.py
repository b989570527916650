"""Every refusal has one shape: `details` is a list of {field, message} rows, in the API and on forms."""
import io
import uuid

import pytest

from handover.core.errors import Conflict, TransitionNotAllowed, ValidationFailed, normalise_details
from handover.core.http import _field_details

BODY = {"stage": "open_day", "room": "主卫", "category": "防水", "description": "闭水试验渗漏", "severity": "major"}


def assert_rows(details):
    assert isinstance(details, list) and details, details
    for row in details:
        assert set(row) >= {"field", "message"}, row
        assert isinstance(row["message"], str) and row["message"], row


def test_api_errors_of_every_kind_carry_a_list_of_field_rows(world, api):
    api.token("engineering")
    unit_url = f"/api/v1/units/{world.a1.id}/defects"

    invalid_body = api.post(unit_url, json={"stage": "someday", "room": "", "due": 1})  # marshmallow
    assert invalid_body.status_code == 422
    assert_rows(invalid_body.get_json()["details"])
    assert {"stage", "category"} <= {d["field"] for d in invalid_body.get_json()["details"]}

    defect = api.post(unit_url, json={**BODY, "id": str(uuid.uuid4())}).get_json()
    transitions = f"/api/v1/defects/{defect['id']}/transitions"
    not_allowed = api.post(transitions, json={"action": "verify"})  # TransitionNotAllowed
    assert not_allowed.status_code == 409 and not_allowed.get_json()["error"] == "transition_not_allowed"
    assert_rows(not_allowed.get_json()["details"])
    refusal = not_allowed.get_json()["details"][0]
    assert (refusal["field"], refusal["status"], refusal["allowed"]) == ("action", "open", ["assign", "unfixable"])

    guard = api.post(transitions, json={"action": "assign"})  # ValidationFailed from a guard
    assert guard.status_code == 422
    assert_rows(guard.get_json()["details"])
    assert {d["field"] for d in guard.get_json()["details"]} == {"contractor_id", "due_date"}

    stale = api.post(transitions, json={"action": "unfixable", "version": 99, "statement": "s",
                                        "compensation_plan": "p"})  # Conflict (stale version)
    assert stale.status_code == 409
    assert_rows(stale.get_json()["details"])

    bad_photo = api.post(f"/api/v1/defects/{defect['id']}/photos", data={"file": (io.BytesIO(b"nope"), "x.png")},
                         content_type="multipart/form-data")
    assert bad_photo.status_code == 422
    assert_rows(bad_photo.get_json()["details"])

    bad_query = api.get("/api/v1/defects?page=0")  # query-string validation
    assert bad_query.status_code == 422
    assert_rows(bad_query.get_json()["details"])


@pytest.mark.parametrize("given, expected", [
    ({"status": "open", "allowed": ["fix", "verify"]},
     [{"field": "status", "message": "open"}, {"field": "allowed", "message": "fix, verify"}]),
    ({"gate": "area_differential"}, [{"field": "gate", "message": "area_differential"}]),
    ([{"field": "room", "message": "Choose the room."}], [{"field": "room", "message": "Choose the room."}]),
    ([{"row": 3, "column": "电话", "message": "bad"}], [{"row": 3, "column": "电话", "message": "bad"}]),
    ("just words", [{"field": None, "message": "just words"}]),
    ({"field": "receipt_no"}, [{"field": "receipt_no", "message": "x"}]),  # one row; the refusal's message
    (None, None),
])
def test_domain_error_details_are_normalised(given, expected):
    assert normalise_details(given, "x") == expected
    for error in (Conflict("x", details=given), TransitionNotAllowed("x", details=given),
                  ValidationFailed("x", details=given)):
        assert error.details == expected


def test_marshmallow_messages_flatten_to_dotted_fields():
    messages = {"json": {"name": ["Missing data for required field."],
                         "lines": {"0": {"amount": ["Not a valid number.", "Too small."]}},
                         "_schema": ["window_end is before window_start"]},
                "query": {"page": ["Must be greater than or equal to 1."]}}
    assert _field_details(messages) == [
        {"field": "name", "message": "Missing data for required field."},
        {"field": "lines.0.amount", "message": "Not a valid number."},
        {"field": "lines.0.amount", "message": "Too small."},
        {"field": None, "message": "window_end is before window_start"},
        {"field": "page", "message": "Must be greater than or equal to 1."},
    ]
