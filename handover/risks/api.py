"""API: the risk register and its life cycle, the guided self-check, readiness, sales promises,
public areas (and their defects), the transfer to the property company, and the documents."""
import io

from flask import send_file
from flask_babel import gettext as _
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.core.errors import NotFound
from handover.defects import service as defect_service
from handover.defects.schemas import DefectInSchema, DefectSchema
from handover.extensions import db
from handover.projects import queries as project_queries
from handover.risks import documents, queries, rules, service
from handover.risks.schemas import (
    AnswerInSchema,
    AnswerSchema,
    AreaInSchema,
    AreaSchema,
    EvidenceSchema,
    EvidenceUploadSchema,
    OverrideInSchema,
    PromiseCheckInSchema,
    PromiseCheckSchema,
    PromiseInSchema,
    PromiseSchema,
    ReadinessQuerySchema,
    ReadinessSchema,
    RiskDetailSchema,
    RiskInSchema,
    RiskQuerySchema,
    RiskSchema,
    RiskTransitionInSchema,
    SelfCheckInSchema,
    SelfCheckSchema,
    TransferInSchema,
    TransferSchema,
    UnitPromiseSchema,
)

blp = Blueprint("risks_api", __name__, description="Pre-handover risks, promises, public areas, transfers, readiness")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(batch_id: int):
    return project_queries.get_batch(request_user(), batch_id)


# --- risks -----------------------------------------------------------------------------------

@blp.route("/batches/<int:batch_id>/risks", methods=["POST"])
@requires("risks.edit")
@blp.arguments(RiskInSchema)
@blp.response(201, RiskSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="unknown category or severity, missing title")
def record_risk(data, batch_id: int):
    """Record a risk of a batch (or of one building); it starts open."""
    risk = service.record_risk(_batch(batch_id), service.NewRisk(**data), actor=request_user())
    db.session.commit()
    return risk


@blp.route("/batches/<int:batch_id>/risks", methods=["GET"])
@requires("risks.view")
@blp.arguments(RiskQuerySchema, location="query")
@blp.response(200, RiskSchema(many=True))
def list_risks(args, batch_id: int):
    """The batch's risk register, most severe first, filtered by status, category, severity, building."""
    return queries.risks_of(_batch(batch_id).id, queries.RiskFilters(**args))


@blp.route("/risks/<int:risk_id>", methods=["GET"])
@requires("risks.view")
@blp.response(200, RiskDetailSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_risk(risk_id: int):
    """One risk with its history."""
    return queries.get_risk(request_user(), risk_id)


@blp.route("/risks/<int:risk_id>/transitions", methods=["POST"])
@requires("risks.edit")
@blp.arguments(RiskTransitionInSchema)
@blp.response(200, RiskDetailSchema)
@blp.alt_response(403, schema=ApiErrorSchema, description="accepting needs a manager who is a second person")
@blp.alt_response(409, schema=ApiErrorSchema, description="not allowed from the current status, or stale version")
@blp.alt_response(422, schema=ApiErrorSchema, description="a guard failed (plan, deadline, statement, …)")
def transition(data, risk_id: int):
    """plan, resolve, accept (statement + compensation plan, approved by a manager), reopen."""
    user = request_user()
    risk = queries.get_risk(user, risk_id)
    version = data.pop("version")
    service.act(risk, rules.RiskAct(**data), actor=user, version=version)
    db.session.commit()
    return risk


@blp.route("/risks/<int:risk_id>/evidence", methods=["POST"])
@requires("risks.edit")
@blp.arguments(EvidenceUploadSchema, location="files")
@blp.response(201, EvidenceSchema)
@blp.alt_response(422, schema=ApiErrorSchema, description="empty or larger than 15 MB")
def add_evidence(files, risk_id: int):
    """Attach a photo or a file to a risk (resolving it needs a note or evidence)."""
    user = request_user()
    upload = files["file"]
    evidence = service.add_evidence(queries.get_risk(user, risk_id), filename=upload.filename or "",
                                    content=upload.read(), content_type=upload.mimetype or "", actor=user)
    db.session.commit()
    return evidence


@blp.route("/risks/<int:risk_id>/override", methods=["POST"])
@requires("risks.approve")
@blp.arguments(OverrideInSchema)
@blp.response(200, RiskDetailSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="only an undecided blocking risk can be overridden")
def override(data, risk_id: int):
    """A manager's written decision that this blocking risk does not stop handovers."""
    user = request_user()
    risk = service.override_blocking(queries.get_risk(user, risk_id), reason=data["reason"], actor=user)
    db.session.commit()
    return risk


# --- readiness and documents -----------------------------------------------------------------

@blp.route("/batches/<int:batch_id>/readiness", methods=["GET"])
@requires("risks.view")
@blp.arguments(ReadinessQuerySchema, location="query")
@blp.response(200, ReadinessSchema)
def readiness(args, batch_id: int):
    """Ready or not (with the reasons) for the batch or one building."""
    batch = _batch(batch_id)
    if args["building_id"] and queries.get_building(request_user(), args["building_id"]).batch_id != batch.id:
        raise NotFound(_("Building not found."))
    return queries.readiness(batch, args["building_id"])


@blp.route("/batches/<int:batch_id>/risks.xlsx", methods=["GET"])
@requires("risks.view")
@blp.arguments(RiskQuerySchema, location="query")
@blp.response(200, description="the risk register (.xlsx), one row per risk, filters applied")
def risk_register(args, batch_id: int):
    """The risk register as a spreadsheet."""
    batch = _batch(batch_id)
    content = documents.risk_register_xlsx(batch, queries.risks_of(batch.id, queries.RiskFilters(**args)))
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True,
                     download_name=documents.register_file_name(batch))


@blp.route("/batches/<int:batch_id>/readiness.pdf", methods=["GET"])
@requires("risks.view")
@blp.arguments(ReadinessQuerySchema, location="query")
@blp.response(200, description="the readiness report (PDF): categories, risks and decisions, statements, sign-off")
def readiness_report(args, batch_id: int):
    """The readiness report of the batch (or one building)."""
    batch = _batch(batch_id)
    content = documents.readiness_pdf(documents.gather_readiness(batch, args["building_id"]))
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=documents.readiness_file_name(batch))


# --- the guided self-check -------------------------------------------------------------------

@blp.route("/batches/<int:batch_id>/self-checks", methods=["POST"])
@requires("risks.edit")
@blp.arguments(SelfCheckInSchema)
@blp.response(201, SelfCheckSchema)
def start_self_check(data, batch_id: int):
    """Start a self-check: the questions of categories A–H, to be answered one by one."""
    check = service.start_self_check(_batch(batch_id), building_id=data["building_id"], actor=request_user())
    db.session.commit()
    return check


@blp.route("/self-checks/<int:check_id>", methods=["GET"])
@requires("risks.view")
@blp.response(200, SelfCheckSchema)
def get_self_check(check_id: int):
    return queries.get_self_check(request_user(), check_id)


@blp.route("/self-checks/<int:check_id>/answers", methods=["POST"])
@requires("risks.edit")
@blp.arguments(AnswerInSchema)
@blp.response(200, AnswerSchema)
def answer(data, check_id: int):
    """Answer one question ok / risk / na; after "risk", record the risk with this answer's id."""
    user = request_user()
    row = service.answer_question(queries.get_self_check(user, check_id), data["question"], data["answer"],
                                  actor=user, note=data["note"])
    db.session.commit()
    return row


# --- promises --------------------------------------------------------------------------------

@blp.route("/batches/<int:batch_id>/promises", methods=["POST"])
@requires("risks.edit")
@blp.arguments(PromiseInSchema)
@blp.response(201, PromiseSchema)
def add_promise(data, batch_id: int):
    """Register a sales promise; without buildings or units it covers the whole batch."""
    promise = service.add_promise(_batch(batch_id), service.NewPromise(
        text=data["text"], source=data["source"], reference=data["reference"],
        building_ids=tuple(data["building_ids"]), unit_ids=tuple(data["unit_ids"])), actor=request_user())
    db.session.commit()
    return promise


@blp.route("/batches/<int:batch_id>/promises", methods=["GET"])
@requires("risks.view")
@blp.response(200, PromiseSchema(many=True))
def list_promises(batch_id: int):
    return queries.promises_of(_batch(batch_id).id)


@blp.route("/units/<int:unit_id>/promises", methods=["GET"])
@requires("risks.view")
@blp.response(200, UnitPromiseSchema(many=True))
def unit_promises(unit_id: int):
    """The promises the unit's handover walk-through checks, each with its latest check there."""
    return queries.promises_for_unit(project_queries.get_unit(request_user(), unit_id))


@blp.route("/promises/<int:promise_id>/checks", methods=["POST"])
@requires("risks.edit")
@blp.arguments(PromiseCheckInSchema)
@blp.response(201, PromiseCheckSchema)
def check_promise(data, promise_id: int):
    """Kept or not in a unit; not kept opens a category C risk."""
    user = request_user()
    promise = queries.get_promise(user, promise_id)
    unit = project_queries.get_unit(user, data["unit_id"])
    check = service.check_promise(promise, unit, kept=data["kept"], note=data["note"], actor=user,
                                  inspection_id=data["inspection_id"])
    db.session.commit()
    return check


# --- public areas ----------------------------------------------------------------------------

@blp.route("/batches/<int:batch_id>/areas", methods=["POST"])
@requires("risks.areas")
@blp.arguments(AreaInSchema)
@blp.response(201, AreaSchema)
def add_area(data, batch_id: int):
    """Register a public area of the batch or one of its buildings."""
    area = service.add_area(_batch(batch_id), actor=request_user(), **data)
    db.session.commit()
    return area


@blp.route("/batches/<int:batch_id>/areas", methods=["GET"])
@requires("risks.view")
@blp.response(200, AreaSchema(many=True))
def list_areas(batch_id: int):
    return [row["area"] for row in queries.areas_of(_batch(batch_id).id)]


@blp.route("/areas/<int:area_id>/defects", methods=["POST"])
@requires("risks.area_defects")
@blp.arguments(DefectInSchema)
@blp.response(201, DefectSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the id is already used elsewhere")
def record_area_defect(data, area_id: int):
    """Record a defect in a public area, exactly like in a unit. Resending the same `id` is harmless."""
    user = request_user()
    area = queries.get_area(user, area_id)
    defect_id, at = data.pop("id"), data.pop("at", None)
    defect, _created = defect_service.record_defect(
        None, defect_service.NewDefect(id=str(defect_id) if defect_id else None, **data), actor=user, at=at,
        area=area)
    db.session.commit()
    return defect


@blp.route("/areas/<int:area_id>/defects", methods=["GET"])
@requires("risks.view")
@blp.response(200, DefectSchema(many=True))
def list_area_defects(area_id: int):
    return queries.area_defects(queries.get_area(request_user(), area_id).id)


# --- the transfer to the property company ----------------------------------------------------

def _transfer_body(transfer) -> dict:
    batch = transfer.building.batch
    late = rules.is_transfer_late(transfer.transferred_on, batch.window_start)
    body = {c: getattr(transfer, c) for c in ("id", "building_id", "batch_id", "transferred_on",
                                              "developer_signatory", "property_signatory", "note", "open_items")}
    body["late"] = late
    body["warning"] = documents.late_warning(batch) if late else None
    return body


@blp.route("/buildings/<int:building_id>/transfer", methods=["POST"])
@requires("risks.transfer")
@blp.arguments(TransferInSchema)
@blp.response(201, TransferSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the building was already transferred")
def record_transfer(data, building_id: int):
    """Record the building's transfer; `late` warns when it is later than 20 days before the window."""
    user = request_user()
    building = queries.get_building(user, building_id)
    items = tuple(service.OpenItem(**item) for item in data.pop("open_items"))
    transfer = service.record_transfer(building, service.NewTransfer(open_items=items, **data), actor=user)
    db.session.commit()
    return _transfer_body(transfer)


@blp.route("/buildings/<int:building_id>/transfer", methods=["GET"])
@requires("risks.view")
@blp.response(200, TransferSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_transfer(building_id: int):
    building = queries.get_building(request_user(), building_id)
    return _transfer_body(queries.transfer_of(building.id))
