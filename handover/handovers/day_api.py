"""API of the handover day: slots and appointments, check-in and stations, the walk-through's
signatures, meter readings and the day's figures."""
from datetime import date

import sqlalchemy as sa
from flask import Response
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.idempotency import IDEMPOTENCY_KEY_HEADER, idempotency_key
from handover.api.schemas import ApiErrorSchema
from handover.core.errors import NotFound
from handover.core.timeutil import today_local
from handover.extensions import db
from handover.handovers import appointments, day_queries, exports, visits, walkthrough
from handover.handovers.day_models import Visit
from handover.handovers.day_schemas import (AppointmentInSchema, AppointmentQuerySchema, AppointmentSchema,
                                            CheckInSchema, DayQuerySchema, DaySummarySchema, ReadingsInSchema,
                                            ReadingsSchema, SignaturesInSchema, SlotInSchema, SlotSchema,
                                            StepInSchema, VisitSchema, WalkthroughSchema)
from handover.inspections.models import Inspection
from handover.projects import queries as project_queries
from handover.projects.models import Unit
from handover.reporting.files import send

blp = Blueprint("handover_day_api", __name__, description="The handover day: appointments, check-in, stations")


@blp.route("/batches/<int:batch_id>/slots", methods=["GET"])
@requires("handovers.book")
@blp.response(200, SlotSchema(many=True))
def list_slots(batch_id: int):
    """The batch's slots with how many are booked (owners: the batch of one of their units)."""
    user = request_user()
    if user.is_owner:
        owned = db.session.scalar(project_queries.scope_units(sa.select(Unit.id).where(Unit.batch_id == batch_id),
                                                              user).limit(1))
        if owned is None:
            raise NotFound("Batch not found.")
    else:
        project_queries.get_batch(user, batch_id)
    return appointments.slots(batch_id)


@blp.route("/batches/<int:batch_id>/slots", methods=["POST"])
@requires("handovers.plan_day")
@blp.arguments(SlotInSchema)
@blp.response(201, SlotSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def create_slot(data, batch_id: int):
    """A time slot with its capacity; sets up the batch's handover day on first use."""
    slot = appointments.create_slot(project_queries.get_batch(request_user(), batch_id), **data)
    db.session.commit()
    return slot


@blp.route("/batches/<int:batch_id>/appointments", methods=["GET"])
@requires("handovers.view_day")
@blp.arguments(AppointmentQuerySchema, location="query")
@blp.response(200, AppointmentSchema(many=True))
def list_appointments(query, batch_id: int):
    project_queries.get_batch(request_user(), batch_id)
    return appointments.appointments(batch_id, day=query["date"])


@blp.route("/units/<int:unit_id>/appointment", methods=["PUT"])
@requires("handovers.book")
@blp.arguments(AppointmentInSchema)
@blp.response(200, AppointmentSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the slot is full")
def book(data, unit_id: int):
    """Book or move the unit's appointment (owners: their own units; staff: any in scope)."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    appointment = appointments.book(unit, data["slot_id"], actor=user)
    db.session.commit()
    return appointment


@blp.route("/units/<int:unit_id>/appointment", methods=["DELETE"])
@requires("handovers.book")
@blp.response(204)
def cancel(unit_id: int):
    user = request_user()
    appointments.cancel(project_queries.get_unit(user, unit_id), actor=user)
    db.session.commit()
    return Response(status=204)


@blp.route("/units/<int:unit_id>/visits", methods=["POST"])
@requires("handovers.check_in")
@blp.arguments(CheckInSchema)
@blp.response(201, VisitSchema)
@blp.alt_response(200, schema=VisitSchema, description="already checked in today: the open visit")
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
def check_in(data, unit_id: int):
    """Check the owner in: the visit starts with the next queue number."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    key = idempotency_key(data)
    visit, created = visits.check_in(unit, actor=user, idempotency_key=key, **data)
    db.session.commit()
    return visit, (201 if created else 200)


def _visit(visit_id: int) -> Visit:
    visit = visits.get_visit(visit_id)
    project_queries.get_unit(request_user(), visit.unit_id)  # out of scope → 404
    return visit


@blp.route("/visits/<int:visit_id>", methods=["GET"])
@requires("handovers.view_day")
@blp.response(200, VisitSchema)
def get_visit(visit_id: int):
    return _visit(visit_id)


@blp.route("/visits/<int:visit_id>/steps", methods=["POST"])
@requires("handovers.station")
@blp.arguments(StepInSchema)
@blp.response(200, VisitSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="not this station's turn, or its condition is unmet "
                                                         "(fees: the amount owed in details)")
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
def record_step(data, visit_id: int):
    """Call, or mark the visit's current station done / refused (reason in `note`) / skipped."""
    visit = _visit(visit_id)
    key = idempotency_key(data)
    visits.record_step(visit, data["step"], data["status"], actor=request_user(), note=data["note"],
                       at=data["at"], idempotency_key=key)
    db.session.commit()
    return visit


@blp.route("/inspections/<int:inspection_id>/signatures", methods=["POST"])
@requires("handovers.station")
@blp.arguments(SignaturesInSchema)
@blp.response(200, WalkthroughSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="a signature is missing or not a PNG")
def sign_walkthrough(data, inspection_id: int):
    """The owner and the accompanying staff sign a handover-stage round (the `walkthrough` gate)."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound("Inspection not found.")
    project_queries.get_unit(request_user(), inspection.unit_id)
    key = idempotency_key(data)
    row = walkthrough.sign_walkthrough(inspection, owner_signature=data["owner_signature"],
                                       staff_signature=data["staff_signature"], note=data["note"],
                                       actor=request_user(), at=data["at"], idempotency_key=key)
    db.session.commit()
    return row


@blp.route("/units/<int:unit_id>/meter-readings", methods=["PUT"])
@requires("handovers.station")
@blp.arguments(ReadingsInSchema)
@blp.response(200, ReadingsSchema)
@blp.alt_response(422, schema=ApiErrorSchema)
def put_readings(data, unit_id: int):
    """Water, electricity and gas readings (decimal strings ≥ 0) taken with the owner."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    key = idempotency_key(data)
    at = data.pop("at")
    row = walkthrough.record_readings(unit, data, actor=user, at=at, idempotency_key=key)
    db.session.commit()
    return row


@blp.route("/batches/<int:batch_id>/handover-day", methods=["GET"])
@requires("handovers.view_day")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, DaySummarySchema)
def handover_day(query, batch_id: int):
    """The day's figures: appointments, checked in, waiting per station, handed over, refusals, waits."""
    project_queries.get_batch(request_user(), batch_id)
    day: date = query["date"] or today_local()
    return day_queries.day_summary(batch_id, day)


@blp.route("/units/<int:unit_id>/handover-record.pdf", methods=["GET"])
@requires("handovers.record")
@blp.response(200, description="the 收楼确认书 (PDF)")
@blp.alt_response(404, schema=ApiErrorSchema)
def handover_record_pdf(unit_id: int):
    """The signed handover record: owners and co-owners, date, readings, documents and keys handed,
    open defects with their promised dates, both signatures. Owners: their own units."""
    return send(exports.handover_record(project_queries.get_unit(request_user(), unit_id)), attachment=False)


@blp.route("/batches/<int:batch_id>/bulletin.pdf", methods=["GET"])
@requires("handovers.view_day")
@blp.arguments(DayQuerySchema, location="query")
@blp.response(200, description="the evening bulletin (交付快报, PDF)")
def bulletin_pdf(query, batch_id: int):
    batch = project_queries.get_batch(request_user(), batch_id)
    return send(exports.bulletin_pdf(batch, query["date"] or today_local()), attachment=False)
