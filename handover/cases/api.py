"""API: owners raise cases for their own units; staff record, handle and reply."""
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.cases import queries, service
from handover.cases.schemas import (
    CaseDetailSchema,
    CaseEventSchema,
    CaseInSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseReplyInSchema,
    CaseTransitionInSchema,
)
from handover.extensions import db
from handover.projects import queries as project_queries

blp = Blueprint("cases_api", __name__, description="Owner cases: repair requests, complaints, inquiries, with SLA")


def _row(case) -> dict:
    data = {name: getattr(case, name) for name in CaseSchema().fields if name not in ("overdue",)}
    data.update(kind=case.kind, severity=case.severity, status=case.status, source=case.source,
                overdue=bool(queries.breach_now(case)))
    return data


def _detail(case, user) -> dict:
    data = _row(case)
    data["events"] = queries.events_for(case, user)
    data["photos"] = [f"/cases/photos/{photo.id}" for photo in case.photos]
    return data


class _Obj(dict):
    def __getattr__(self, name):
        return self[name]


@blp.route("/units/<int:unit_id>/cases", methods=["POST"])
@requires("cases.raise")
@blp.arguments(CaseInSchema)
@blp.response(201, CaseSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="not your unit (owners) / not in your scope (staff)")
def raise_case(data, unit_id: int):
    """Raise a case for a unit: owners for their own units, staff for units in their scope."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    case = service.raise_case(unit, service.NewCase(**data), actor=user)
    db.session.commit()
    return _Obj(_row(case))


@blp.route("/cases", methods=["GET"])
@requires("cases.view")
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CaseSchema(many=True))
def list_cases(args):
    """The cases the user may see (owners: their own), overdue first."""
    service.maybe_sweep()
    filters = queries.CaseFilters(batch_id=args["batch_id"], status=args["status"],
                                  kind=args["kind"].value if args["kind"] else None, overdue=args["overdue"])
    return [_Obj(_row(case)) for case in queries.list_cases(request_user(), filters)]


@blp.route("/cases/<int:case_id>", methods=["GET"])
@requires("cases.view")
@blp.response(200, CaseDetailSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_case(case_id: int):
    """One case with its history (owners: only their own, without internal notes)."""
    user = request_user()
    return _Obj(_detail(queries.get_case(user, case_id), user))


@blp.route("/cases/<int:case_id>/replies", methods=["POST"])
@requires("cases.reply")
@blp.arguments(CaseReplyInSchema)
@blp.response(201, CaseEventSchema)
def reply(data, case_id: int):
    """A written reply: public (the owner sees it and is told) or an internal note."""
    user = request_user()
    event = service.reply(queries.get_case(user, case_id), data["text"], actor=user, internal=data["internal"])
    db.session.commit()
    return event


@blp.route("/cases/<int:case_id>/transitions", methods=["POST"])
@requires("cases.view")
@blp.arguments(CaseTransitionInSchema)
@blp.response(200, CaseDetailSchema)
@blp.alt_response(403, schema=ApiErrorSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="not allowed from the current status, or stale version")
def transition(data, case_id: int):
    """acknowledge, start, resolve, close (owners confirm), reopen, escalate, to_defect (repair requests)."""
    user = request_user()
    case = queries.get_case(user, case_id)
    service.act(case, data["action"], actor=user, note=data["note"], version=data["version"])
    db.session.commit()
    return _Obj(_detail(case, user))
