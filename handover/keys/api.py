"""API: the key ledger and its chain of custody."""
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.idempotency import IDEMPOTENCY_KEY_HEADER, idempotency_key
from handover.api.schemas import ApiErrorSchema
from handover.core.pagination import page_body
from handover.extensions import db
from handover.keys import queries, service
from handover.keys.schemas import (BulkKeysInSchema, BulkKeysResultSchema, KeyDetailSchema, KeyEventInSchema,
                                   KeyEventSchema, KeyInSchema, KeyPageSchema, KeyQuerySchema, KeySchema)
from handover.projects import queries as project_queries

blp = Blueprint("keys_api", __name__, description="Key ledger, loans, entrustments, handover to owners")


@blp.route("/units/<int:unit_id>/keys", methods=["GET"])
@requires("keys.view")
@blp.response(200, KeySchema(many=True))
def list_unit_keys(unit_id: int):
    """The unit's keys with holder and status."""
    unit = project_queries.get_unit(request_user(), unit_id)
    return list(db.session.scalars(queries.keys_query(request_user(), unit_id=unit.id)))


@blp.route("/units/<int:unit_id>/keys", methods=["POST"])
@requires("keys.manage")
@blp.arguments(KeyInSchema)
@blp.response(201, KeySchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="cabinet slot already in use")
def create_unit_key(data, unit_id: int):
    """Register a key (or a numbered set of copies) for a unit."""
    unit = project_queries.get_unit(request_user(), unit_id)
    key = service.create_key(unit.batch, unit=unit, **data)
    db.session.commit()
    return key


@blp.route("/batches/<int:batch_id>/keys", methods=["POST"])
@requires("keys.manage")
@blp.arguments(KeyInSchema)
@blp.response(201, KeySchema)
def create_public_key(data, batch_id: int):
    """Register a key of a public room (plant room, management room, building door)."""
    key = service.create_key(project_queries.get_batch(request_user(), batch_id), **data)
    db.session.commit()
    return key


@blp.route("/batches/<int:batch_id>/keys/bulk", methods=["POST"])
@requires("keys.manage")
@blp.arguments(BulkKeysInSchema)
@blp.response(201, BulkKeysResultSchema)
def bulk_create(data, batch_id: int):
    """Create keys for every unit of the batch that has none of that kind yet (e.g. 3 entrance-door copies)."""
    count = service.create_keys_for_batch(project_queries.get_batch(request_user(), batch_id), **data)
    db.session.commit()
    return {"created": count}


@blp.route("/keys", methods=["GET"])
@requires("keys.view")
@blp.arguments(KeyQuerySchema, location="query")
@blp.response(200, KeyPageSchema)
def list_keys(args):
    """The key ledger, filtered by batch, unit, status, overdue loans, label or code."""
    page, per_page = args.pop("page"), args.pop("per_page")
    return page_body(queries.keys_query(request_user(), **args), page, per_page)


@blp.route("/keys/<int:key_id>", methods=["GET"])
@requires("keys.view")
@blp.response(200, KeyDetailSchema)
@blp.alt_response(404, schema=ApiErrorSchema)
def get_key(key_id: int):
    """A key with its holder, status and full chain of custody."""
    return queries.get_key(request_user(), key_id)


@blp.route("/keys/<int:key_id>/events", methods=["POST"])
@requires("keys.lend")
@blp.doc(parameters=[IDEMPOTENCY_KEY_HEADER])
@blp.arguments(KeyEventInSchema)
@blp.response(201, KeyEventSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="the custody rules forbid it (out on loan, fees unsettled…)")
@blp.alt_response(422, schema=ApiErrorSchema, description="unknown type, missing counterparty or signature")
def record_event(data, key_id: int):
    """Append a custody event: received, checked, lent, returned, handed_to_owner, entrusted, …

    Resending with the same idempotency key returns the first event and records nothing more."""
    user = request_user()
    key = queries.get_key(user, key_id, for_update=True)
    result = {"ok": True, "fails": False}.get(data["result"])
    event = service.record_key_event(key, service.KeyEventInput(type=data["type"], counterparty=data["to"],
                                                                note=data["note"], result_ok=result,
                                                                signature=data["signature"]), actor=user,
                                     at=data["at"], idempotency_key=idempotency_key(data))
    db.session.commit()
    return event
