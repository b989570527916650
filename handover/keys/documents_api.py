"""API: key documents (ledger Excel, tag sheet, handover record, entrustment letter)."""
import io

from flask import abort, request, send_file
from flask_smorest import Blueprint

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.api.schemas import ApiErrorSchema
from handover.extensions import db
from handover.jobs.api import accepted
from handover.jobs.models import Job
from handover.jobs.schemas import JobSchema
from handover.keys import document_rows, documents, queries
from handover.keys import exports as key_exports
from handover.keys.models import KeyEventType
from handover.projects import queries as project_queries

blp = Blueprint("key_documents_api", __name__, description="Key ledger (Excel) and key documents (PDF)")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(content: bytes, name: str, mimetype: str):
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=name)


@blp.route("/batches/<int:batch_id>/keys.xlsx", methods=["GET"])
@requires("keys.view_ledger")
@blp.response(200, description="the key ledger (.xlsx): sheet 1 current state, sheet 2 every custody event")
@blp.alt_response(404, schema=ApiErrorSchema)
def key_ledger(batch_id: int):
    """The batch's key ledger."""
    user = request_user()
    content, name = documents.key_ledger_bytes(
        document_rows.gather_key_ledger(user, project_queries.get_batch(user, batch_id)))
    return _send(content, name, XLSX)


@blp.route("/batches/<int:batch_id>/keys/tags.pdf", methods=["GET"])
@requires("keys.manage")
@blp.response(200, description="QR key tags, 3 × 8 labels per A4 page, when there are few")
@blp.alt_response(202, schema=JobSchema, description="many tags: poll the job at `Location`")
@blp.alt_response(404, schema=ApiErrorSchema)
def tag_sheet(batch_id: int):
    """Printable QR tags for the batch's keys (`?building_id=` for one building)."""
    user = request_user()
    outcome = key_exports.export_tags(user, project_queries.get_batch(user, batch_id),
                                      request.args.get("building_id", type=int))
    if isinstance(outcome, Job):
        db.session.commit()
        return accepted(outcome)
    return _send(outcome, f"钥匙标签-{batch_id}.pdf", "application/pdf")


@blp.route("/units/<int:unit_id>/keys/handover-record.pdf", methods=["GET"])
@requires("keys.view")
@blp.response(200, description="钥匙移交记录 with the owner's drawn signature")
@blp.alt_response(404, schema=ApiErrorSchema)
def handover_record(unit_id: int):
    """The unit's key handover record."""
    record = document_rows.gather_handover_record(project_queries.get_unit(request_user(), unit_id))
    return _send(documents.render_handover_record(record), record.file_name, "application/pdf")


@blp.route("/key-events/<int:event_id>/entrustment.pdf", methods=["GET"])
@requires("keys.view")
@blp.response(200, description="钥匙委托书 of the entrustment this event belongs to")
@blp.alt_response(404, schema=ApiErrorSchema)
def entrustment_letter(event_id: int):
    """The key entrustment letter."""
    event = queries.get_event(request_user(), event_id)
    if event.type != KeyEventType.ENTRUSTED:
        abort(404)
    letter = document_rows.gather_entrustment_letter(event)
    return _send(documents.render_entrustment_letter(letter), letter.file_name, "application/pdf")
