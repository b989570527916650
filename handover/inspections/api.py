"""API: the checklist, inspection rounds and their results (for tablets)."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.orm import selectinload

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import NotFound
from handover.extensions import db
from handover.inspections import service
from handover.inspections.models import Inspection, InspectionResult
from handover.inspections.schemas import (ChecklistItemSchema, ChecklistQuerySchema, InspectionInSchema,
                                          InspectionSchema, ResultInSchema, ResultSchema,
                                          UnitResultInSchema)
from handover.projects import queries as project_queries

blp = Blueprint("inspections_api", __name__, description="Checklist and inspection rounds")


@blp.route("/checklist", methods=["GET"])
@requires("inspections.view")
@blp.arguments(ChecklistQuerySchema, location="query")
@blp.response(200, ChecklistItemSchema(many=True))
def checklist(args):
    """Active checklist items (for a fit-out type), with limits and common phrases."""
    return service.checklist_for(args["fitout_type"])


@blp.route("/units/<int:unit_id>/inspections", methods=["GET"])
@requires("inspections.view")
@blp.response(200, InspectionSchema(many=True))
def list_inspections(unit_id: int):
    """Every inspection round of a unit, oldest first."""
    unit = project_queries.get_unit(request_user(), unit_id)
    return list(db.session.scalars(sa.select(Inspection).where(Inspection.unit_id == unit.id)
                                   .options(selectinload(Inspection.results).joinedload(InspectionResult.item))
                                   .order_by(Inspection.inspected_on, Inspection.id)))


@blp.route("/units/<int:unit_id>/inspections", methods=["POST"])
@requires("inspections.inspect")
@blp.arguments(InspectionInSchema)
@blp.response(201, InspectionSchema)
def start_inspection(data, unit_id: int):
    """Start an inspection round of a unit at a stage."""
    unit = project_queries.get_unit(request_user(), unit_id)
    inspection = service.start_inspection(unit, data["stage"], actor=request_user(),
                                          inspected_on=data["inspected_on"], inspectors=data["inspectors"])
    db.session.commit()
    return inspection


@blp.route("/inspections/<int:inspection_id>/results", methods=["POST"])
@requires("inspections.inspect")
@blp.arguments(ResultInSchema)
@blp.response(200, ResultSchema)
def record_result(data, inspection_id: int):
    """Record one checklist item's outcome; a measurement outside the limit fails by itself."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound(_("Inspection not found."))
    project_queries.get_unit(request_user(), inspection.unit_id)  # scope: 404 outside it
    result = service.record_result(inspection, service.ResultInput(**data))
    db.session.commit()
    return result


@blp.route("/units/<int:unit_id>/inspection-results", methods=["POST"])
@requires("inspections.inspect")
@blp.arguments(UnitResultInSchema)
@blp.response(200, ResultSchema)
def record_unit_result(data, unit_id: int):
    """Record a checklist result from an offline tablet into the caller's round of the day.

    Resending the same `id` returns the same result; an older record never overwrites a newer one."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    record_id, stage, at = data.pop("id"), data.pop("stage"), data.pop("at")
    result = service.record_unit_result(unit, stage, service.ResultInput(**data), actor=user, at=at,
                                        idempotency_key=str(record_id))
    db.session.commit()
    return result
