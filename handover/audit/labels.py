"""Audit entries in words people read: record and field names translated, enum values by their labels,
yes/no for flags, times in local time, and a link to each record's own page where it has one."""
from datetime import datetime
from functools import cache

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from handover.core.filters import local_dt
from handover.core.types import UTCDateTime
from handover.extensions import db

RECORD_LABELS = {
    "Project": _l("Project"), "Batch": _l("Batch"), "Building": _l("Building"), "Unit": _l("Unit"),
    "Owner": _l("Owner"), "Contract": _l("Contract"), "Contractor": _l("Contractor"), "User": _l("User"),
    "ActivationCode": _l("Activation code"), "ChecklistItem": _l("Checklist item"),
    "Inspection": _l("Inspection round"), "InspectionResult": _l("Inspection result"),
    "FeeSettings": _l("Fee settings"), "UnitReturnDecision": _l("Return decision"), "Key": _l("Key"),
    "Payment": _l("Payment or refund"), "LayoutPlan": _l("Floor plan"), "ReceiptSequence": _l("Receipt numbering"),
    "KeyEvent": _l("Key event"), "DefectEvent": _l("Defect step"), "HandoverRecord": _l("Handover record"),
    "RiskEvent": _l("Risk step"),
}

#: column names as people say them; a field missing here shows its column name
FIELD_LABELS = {
    "name": _l("Name"), "city": _l("City"), "address": _l("Address"), "developer": _l("Developer"),
    "created_at": _l("Created at"), "updated_at": _l("Updated at"), "project_id": _l("Project"),
    "batch_id": _l("Batch"), "building_id": _l("Building"), "unit_id": _l("Unit"), "owner_id": _l("Owner"),
    "mode": _l("Handover mode"), "window_start": _l("Handover window from"), "window_end": _l("Handover window to"),
    "sort_key": _l("Sort key"), "floors": _l("Floors"), "entrance": _l("Entrance"), "floor": _l("Floor"),
    "room_no": _l("Room number"), "layout": _l("Layout"), "fitout_type": _l("Fit-out type"),
    "measured_area": _l("Measured area"), "handed_over_on": _l("Handed over on"), "phone": _l("Phone"),
    "id_number": _l("ID number"), "number": _l("Contract number"), "area": _l("Contract area"),
    "unit_price": _l("Unit price"), "total_price": _l("Total price"),
    "diff_threshold": _l("Area-differential threshold"), "refund_multiplier": _l("Refund multiplier"),
    "signed_on": _l("Signed on"), "contact_name": _l("Contact"), "username": _l("Username"),
    "display_name": _l("Display name"), "password_hash": _l("Password"), "role": _l("Role"),
    "is_active_user": _l("Active"), "contractor_id": _l("Contractor"), "code_hash": _l("Code"),
    "issued_by_id": _l("Issued by"), "expires_at": _l("Expires at"), "used_at": _l("Used at"),
    "category": _l("Category"), "warranty_class": _l("Warranty class"), "limit_min": _l("Minimum"),
    "limit_max": _l("Maximum"), "limit_unit": _l("Unit of measure"), "phrases": _l("Common phrases"),
    "sort_order": _l("Order"), "active": _l("In use"), "stage": _l("Stage"), "inspected_on": _l("Inspected on"),
    "inspectors": _l("Inspectors"), "created_by_id": _l("Created by"), "inspection_id": _l("Inspection round"),
    "item_id": _l("Checklist item"), "passed": _l("Passed"), "measured_value": _l("Measured value"),
    "note": _l("Note"), "property_fee_rate": _l("Property fee (yuan per m² per month)"),
    "prepay_months": _l("Months prepaid"), "maintenance_fund_per_m2": _l("Maintenance fund per m²"),
    "maintenance_fund_rate": _l("Maintenance fund rate"), "deed_tax_rate": _l("Deed tax rate"),
    "other": _l("Other charges"), "decision": _l("Buyer's decision"), "recorded_by_id": _l("Recorded by"),
    "recorded_at": _l("Recorded at"), "path": _l("File"), "width": _l("Width"), "height": _l("Height"),
    "uploaded_by_id": _l("Uploaded by"), "uploaded_at": _l("Uploaded at"), "kind": _l("Kind"),
    "label": _l("Label"), "code": _l("Code"), "copies": _l("Copies"), "cabinet_slot": _l("Cabinet slot"),
    "status": _l("Status"), "holder": _l("Held by"), "due_back_on": _l("Due back on"), "version": _l("Version"),
    "amount": _l("Amount"), "method": _l("Method"), "receipt_no": _l("Receipt no."),
    "reverses_id": _l("Reverses entry"), "operator_id": _l("Operator"), "operator_name": _l("Operator"),
    "at": _l("Time"), "prefix": _l("Prefix"), "next_number": _l("Next number"), "digits": _l("Digits"),
    "action": _l("Action"), "actor_id": _l("Done by"), "actor_name": _l("Done by (name)"),
    "idempotency_key": _l("Request key"), "key_id": _l("Key"), "counterparty": _l("Counterparty"),
    "result_ok": _l("Opens the lock"), "signature_path": _l("Signature"), "from_status": _l("Status before"),
    "to_status": _l("Status after"), "defect_id": _l("Defect"), "risk_id": _l("Risk"), "internal": _l("Staff only"),
    "data": _l("Details"), "items": _l("Items handed"),
}

#: record types whose own page can be linked: endpoint and its id argument
RECORD_PAGES = {"Unit": ("projects.unit_detail", "unit_id"), "Key": ("keys.detail", "key_id"),
                "Risk": ("risks.detail", "risk_id")}
#: rows of append-only histories link to the page of what they belong to (with its whole history):
#: record type → (endpoint, its argument, the row's field holding the owner's id)
HISTORY_PAGES = {"KeyEvent": ("keys.detail", "key_id", "key_id"),
                 "DefectEvent": ("defects.detail", "defect_id", "defect_id"),
                 "RiskEvent": ("risks.detail", "risk_id", "risk_id"),
                 "HandoverRecord": ("projects.unit_detail", "unit_id", "unit_id"),
                 "Payment": ("projects.unit_detail", "unit_id", "unit_id")}


@cache
def _models() -> dict[str, type]:
    return {mapper.class_.__name__: mapper.class_ for mapper in db.Model.registry.mappers}


def record_label(entity_type: str) -> str:
    return str(RECORD_LABELS.get(entity_type, entity_type))


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key))


def value_text(entity_type: str, key: str, value) -> str:
    """A stored value as people read it: the enum's label, yes/no, a local time; '—' for nothing."""
    if value is None or value == "":
        return "—"
    column = _column(entity_type, key)
    if column is not None:
        enum_class = getattr(column.type, "enum_class", None)
        if enum_class is not None:
            try:
                return str(enum_class(value).label)
            except (ValueError, AttributeError):
                return str(value)
        if isinstance(column.type, UTCDateTime) and isinstance(value, str):
            try:
                return local_dt(datetime.fromisoformat(value))
            except ValueError:
                return value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, dict)):
        return "; ".join(str(item) for item in value) if isinstance(value, list) else str(value)
    return str(value)


def _column(entity_type: str, key: str) -> sa.Column | None:
    model = _models().get(entity_type)
    if model is None:
        return None
    return sa.inspect(model).columns.get(key)


def record_url(entity_type: str, entity_id: int | None, changes: dict | None = None) -> str | None:
    """The record's own page, when it has one and still exists; for a history row, the page of
    what it belongs to (from the row's recorded values)."""
    history = HISTORY_PAGES.get(entity_type)
    if history is not None:
        endpoint, argument, field = history
        owner_id = ((changes or {}).get(field) or [None, None])[1]
        return url_for(endpoint, **{argument: owner_id}) if owner_id not in (None, "") else None
    page = RECORD_PAGES.get(entity_type)
    if page is None or entity_id is None:
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: entity_id})


def readable_changes(entry) -> list[dict]:
    """[{field, old, new}] with labels and readable values, in the order recorded."""
    return [{"field": field_label(key), "old": value_text(entry.entity_type, key, old),
             "new": value_text(entry.entity_type, key, new)}
            for key, (old, new) in (entry.changes or {}).items() if key not in ("id", "version")]
