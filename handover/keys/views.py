"""Key ledger pages: the ledger, opening a key by its code, a key's chain of custody and its
actions, signatures, and the key documents (tag sheet, handover record, entrustment letter, Excel)."""
import io

from flask import (Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.accounts.rules import is_safe_next
from handover.core import storage
from handover.core.errors import DomainError, NotFound
from handover.core.pagination import paginate
from handover.core.timeutil import today_local
from handover.handovers.queries import key_refusal
from handover.jobs.models import Job
from handover.keys import document_rows, documents, queries, rules, service
from handover.keys import exports as key_exports
from handover.keys.forms import KeyEventForm
from handover.keys.models import Key, KeyEventType, KeyStatus
from handover.projects import queries as project_queries
from handover.web.forms import attempt, first_error, save

bp = Blueprint("keys", __name__)

PDF, XLSX = "application/pdf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEDGER_PER_PAGE = 100
#: what each event's button says: the act, in the imperative
ACTION_LABELS = {
    KeyEventType.RECEIVED: _l("Receive into the office"), KeyEventType.CHECKED: _l("Try in the lock"),
    KeyEventType.LENT: _l("Lend"), KeyEventType.RETURNED: _l("Take back"),
    KeyEventType.HANDED_TO_OWNER: _l("Hand to the owner"), KeyEventType.ENTRUSTED: _l("Take into entrustment"),
    KeyEventType.RETURNED_TO_OWNER: _l("Return to the owner"), KeyEventType.LOST: _l("Report lost"),
    KeyEventType.LOCK_CHANGED: _l("Lock changed"),
}


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


def chosen_batch(user):
    """The batch named by ?batch_id=, else the user's first batch (None when they have none)."""
    batch_id = int_arg("batch_id")
    if batch_id:
        return project_queries.get_batch(user, batch_id)
    return next(iter(project_queries.list_batches(user)), None)


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after a form (never another site)."""
    return target if is_safe_next(target) else None


def wants_json() -> bool:
    """The pre-handover check page posts with fetch and updates the row in place."""
    return request.headers.get("X-Requested-With") == "fetch"


def event_context(key: Key) -> dict:
    """What the key page and the desk need to show the actions the custody rules allow."""
    events = rules.KEY.allowed(key.status)
    gate = key_refusal(key.unit) if key.unit and KeyEventType.HANDED_TO_OWNER in events else None
    owner = key.unit.contract.owner.name if key.unit and key.unit.contract else ""
    return {"events": events, "gate": gate, "owner_name": owner, "signed": rules.SIGNED_EVENTS,
            "with_counterparty": rules.COUNTERPARTY_EVENTS, "E": KeyEventType, "actions": ACTION_LABELS}


@bp.get("/keys")
@requires("keys.view_ledger")
def ledger():
    """The key ledger of a batch by building and unit, with holder and status; overdue loans first to the eye."""
    user = request_user()
    batch = chosen_batch(user)
    if batch is None:
        return render_template("keys/ledger.html", batch=None, batches=[])
    status = request.args.get("status") or None
    status = KeyStatus(status) if status in KeyStatus._value2member_map_ else None
    overdue = True if request.args.get("overdue") == "1" else None
    building_id, q = int_arg("building_id"), request.args.get("q", "").strip()
    stmt = queries.ledger_query(user, batch_id=batch.id, building_id=building_id, status=status, overdue=overdue,
                                q=q or None)
    return render_template(
        "keys/ledger.html", batch=batch, batches=project_queries.list_batches(user),
        buildings=project_queries.buildings_of(batch), building_id=building_id, status=status, overdue=overdue, q=q,
        page=paginate(stmt, int_arg("page") or 1, LEDGER_PER_PAGE), statuses=list(KeyStatus),
        counts=queries.status_counts(user, batch.id), overdue_total=queries.overdue_count(user, batch.id),
        out=queries.keys_out(user, batch.id),
        today=today_local(), is_overdue=rules.is_overdue)


@bp.get("/keys/find")
@requires("keys.view_ledger")
def find():
    """Open a key by the code on its tag: typed, or read from the QR code with the tablet camera."""
    user = request_user()
    code = request.args.get("code", "").strip()
    error = None
    if code:
        for candidate in (code, "K" + code):
            try:
                return redirect(url_for("keys.detail", key_id=queries.key_by_code(user, candidate).id))
            except NotFound as exc:
                error = error or exc.message
    return render_template("keys/find.html", code=code, error=error), 404 if error else 200


def render_detail(key: Key, *, form: KeyEventForm | None = None, error: DomainError | None = None,
                  status: int = 200):
    return render_template("keys/detail.html", key=key, form=form, error=error,
                           open_event=form.type.data if form else None,
                           borrowers=queries.recent_borrowers(key.batch_id),
                           overdue=rules.is_overdue(key.status, key.due_back_on, today_local()),
                           **event_context(key)), status


@bp.get("/keys/<int:key_id>")
@requires("keys.view_ledger")
def detail(key_id: int):
    """A key: where it is, its chain of custody, and one button per thing that may happen next."""
    return render_detail(queries.get_key(request_user(), key_id))


def _event_input(form: KeyEventForm) -> service.KeyEventInput:
    return service.KeyEventInput(type=KeyEventType(form.type.data), counterparty=form.to.data or "",
                                 note=form.note.data or "", result_ok=form.result_ok,
                                 signature=form.signature.data or None)


def _done_message(key: Key, event_type: KeyEventType) -> str:
    if event_type == KeyEventType.LENT:
        return _("%(key)s lent to %(to)s: due back today.", key=key.label, to=key.holder)
    return _("%(key)s: %(event)s. Now: %(status)s.", key=key.label, event=event_type.label, status=key.status.label)


@bp.post("/keys/<int:key_id>/events")
@requires("keys.lend")
def record_event(key_id: int):
    """Append a custody event through the service (which enforces the custody rules and the fee gate)."""
    user = request_user()
    form = KeyEventForm()
    if not form.validate_on_submit():
        return _refused(key_id, form, DomainError(first_error(form)), 400)
    key = queries.get_key(user, key_id, for_update=True)
    recorded = attempt(lambda: service.record_key_event(key, _event_input(form), actor=user), quiet=True)
    if not recorded:
        return _refused(key_id, form, recorded.error, recorded.error.status)
    event = recorded.value
    if wants_json():
        return jsonify({"status": key.status.value, "status_label": key.status.label,
                        "result": None if event.result_ok is None else ("ok" if event.result_ok else "fails")})
    flash(_done_message(key, event.type), "success")
    return redirect(safe_next(form.next.data) or url_for("keys.detail", key_id=key.id))


def _refused(key_id: int, form: KeyEventForm, exc: DomainError, status: int):
    """Say why, where the person is: JSON for the check page, a flash on the desk, else the key page."""
    if wants_json():
        return jsonify({"message": exc.message}), status
    back = safe_next(form.next.data)
    if back:
        flash(exc.message, "error")
        return redirect(back)
    return render_detail(queries.get_key(request_user(), key_id), form=form, error=exc, status=status)


@bp.get("/key-events/<int:event_id>/signature.png")
@requires("keys.view")
def signature(event_id: int):
    """The signature drawn for a custody event (owners see only their own)."""
    event = queries.get_event(request_user(), event_id)
    if not event.signature_path:
        abort(404)
    return send_file(storage.resolve(event.signature_path), mimetype="image/png", max_age=3600)


def _send(content: bytes, name: str, mimetype: str, *, attachment: bool):
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=attachment, download_name=name)


@bp.get("/batches/<int:batch_id>/keys/tags.pdf")
@requires("keys.manage")
def tag_sheet(batch_id: int):
    """Printable QR tags (3 × 7 labels per A4 page) for the batch or one building; a large batch
    becomes a background job."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    outcome = save(lambda: key_exports.export_tags(user, batch, int_arg("building_id")))
    if isinstance(outcome, Job):
        flash(_("The tag sheet is large: it is being prepared. Download it from this page when it is ready."), "info")
        return redirect(url_for("jobs.detail", job_id=outcome.id))
    return _send(outcome, key_exports.tag_file_name(batch.name), PDF, attachment=False)


@bp.get("/batches/<int:batch_id>/keys.xlsx")
@requires("keys.view_ledger")
def ledger_xlsx(batch_id: int):
    """The batch's key ledger: current state and the full event history."""
    user = request_user()
    content, name = documents.key_ledger_bytes(
        document_rows.gather_key_ledger(user, project_queries.get_batch(user, batch_id)))
    return _send(content, name, XLSX, attachment=True)


@bp.get("/units/<int:unit_id>/keys/handover-record.pdf")
@requires("keys.view")
def handover_record(unit_id: int):
    """钥匙移交记录 of a unit, with the owner's drawn signature."""
    record = document_rows.gather_handover_record(project_queries.get_unit(request_user(), unit_id))
    return _send(documents.render_handover_record(record), record.file_name, PDF, attachment=False)


@bp.get("/key-events/<int:event_id>/entrustment.pdf")
@requires("keys.view")
def entrustment_letter(event_id: int):
    """钥匙委托书 for the entrustment this event belongs to."""
    event = queries.get_event(request_user(), event_id)
    if event.type != KeyEventType.ENTRUSTED:
        abort(404)
    letter = document_rows.gather_entrustment_letter(event)
    return _send(documents.render_entrustment_letter(letter), letter.file_name, PDF, attachment=False)
