"""Property office pages around handover day: the handover desk (hand keys to the owner with their
signature, entrustments, returns), the pre-handover check, and creating or importing keys."""
import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import NotFound
from handover.core.staging import discard_staged, load_staged
from handover.extensions import db
from handover.handovers.queries import key_refusal
from handover.keys import importing, queries, rules, service
from handover.keys.forms import DESK_EVENTS, BulkKeysForm, DeskEventForm, KeyImportForm, ReceiveForm
from handover.keys.models import Key, KeyEventType, KeyKind, KeyStatus
from handover.keys.views import chosen_batch, int_arg
from handover.projects import import_runs
from handover.projects import queries as project_queries
from handover.projects.forms import ImportConfirmForm
from handover.projects.models import ImportRun, Unit
from handover.web.imports import preview_upload, recent_imports
from handover.web.forms import attempt, submit

bp = Blueprint("key_desk", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESK_MATCHES = 20


@bp.get("/keys/desk")
@requires("keys.hand_to_owner")
def desk():
    """Handover day: find the owner's unit by room number or owner name."""
    user = request_user()
    batch = chosen_batch(user)
    q = request.args.get("q", "").strip()
    units = []
    if batch and q:
        units = _find_units(user, batch, q)
        if len(units) == 1:
            return redirect(url_for("key_desk.desk_unit", unit_id=units[0].id))
    keys = queries.keys_of_units(user, [u.id for u in units])
    return render_template("keys/desk.html", batch=batch, batches=project_queries.list_batches(user), q=q,
                           units=units, keys=keys, limit=DESK_MATCHES)


def _find_units(user, batch, q: str) -> list[Unit]:
    """Units matching a room number or owner name; "1-2-1201" (building-entrance-room) names one unit."""
    parts = q.replace("－", "-").split("-")
    if len(parts) == 3 and all(part.strip() for part in parts):
        building, entrance, room_no = (part.strip() for part in parts)
        stmt = project_queries.units_query(user, batch_id=batch.id, building=building, q=room_no)
        exact = [u for u in db.session.scalars(stmt) if (u.entrance, u.room_no) == (entrance, room_no)]
        if exact:
            return exact
    return list(db.session.scalars(project_queries.units_query(user, batch_id=batch.id, q=q).limit(DESK_MATCHES)))


def _fee_page(unit: Unit) -> str | None:
    """The unit's fee statement page, to send the owner on to finance (None if that page is absent)."""
    try:
        return url_for("fees.statement", unit_id=unit.id)
    except BuildError:
        return None


def _desk_groups(keys: list[Key]) -> dict[KeyEventType, list[Key]]:
    """The unit's keys by the desk action the custody rules allow for each."""
    return {event: [k for k in keys if event in rules.KEY.allowed(k.status)] for event in DESK_EVENTS}


def render_desk_unit(unit: Unit, *, forms: dict | None = None, status: int = 200):
    user = request_user()
    keys = queries.keys_of_units(user, [unit.id])[unit.id]
    groups = _desk_groups(keys)
    ready = {k.id for group in groups.values() for k in group}
    owner = unit.contract.owner.name if unit.contract else ""
    events = queries.unit_events(unit.id, list(DESK_EVENTS))
    forms = forms or {}
    for event in DESK_EVENTS:
        forms.setdefault(event, DeskEventForm(formdata=None, to=owner, key_ids=[k.id for k in groups[event]]))
    return render_template("keys/desk_unit.html", unit=unit, keys=keys, groups=groups, forms=forms,
                           waiting=[k for k in keys if k.id not in ready and k.status != KeyStatus.WITH_OWNER],
                           gate=key_refusal(unit), fee_page=_fee_page(unit), E=KeyEventType, owner_name=owner,
                           events=events,
                           entrustments=[e.first for e in queries.unit_entrustments(unit.id)]), status


@bp.get("/keys/desk/<int:unit_id>")
@requires("keys.hand_to_owner")
def desk_unit(unit_id: int):
    """One unit at the desk: its keys, the fee gate, and hand over / entrust / return with a signature."""
    return render_desk_unit(project_queries.get_unit(request_user(), unit_id))


@bp.post("/keys/desk/<int:unit_id>/<event>")
@requires("keys.hand_to_owner")
def desk_event(unit_id: int, event: str):
    """Record the same signed event for several keys of the unit: all of them, or none."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    event_type = next((e for e in DESK_EVENTS if e.value == event), None)
    if event_type is None:
        raise NotFound(_("Not found."))
    form = DeskEventForm()
    if not form.validate_on_submit():
        return render_desk_unit(unit, forms={event_type: form}, status=400)
    data = service.KeyEventInput(type=event_type, counterparty=form.to.data, note=form.note.data or "",
                                 signature=form.signature.data or None)

    def record_all():
        last = None
        for key_id in form.key_ids.data:
            key = queries.get_key(user, key_id, for_update=True)
            if key.unit_id != unit.id:
                raise NotFound(_("Key not found."))
            last = service.record_key_event(key, data, actor=user)
        return last

    done = attempt(record_all, form=form,
                   success=_("%(event)s: %(n)d keys, signed by %(name)s.", event=event_type.label,
                             n=len(form.key_ids.data), name=form.to.data))
    if not done:
        return render_desk_unit(unit, forms={event_type: form}, status=done.error.status)
    return redirect(url_for("key_desk.desk_unit", unit_id=unit.id, done=done.value.id))


@bp.get("/keys/check")
@requires("keys.manage")
def check():
    """Pre-handover check, unit by unit for a building: receive from the contractor, then try each key."""
    user = request_user()
    batch = chosen_batch(user)
    if batch is None:
        return render_template("keys/check.html", batch=None)
    buildings = project_queries.buildings_of(batch)
    building_id = int_arg("building_id") or (buildings[0].id if buildings else None)
    units = list(db.session.scalars(project_queries.units_query(user, batch_id=batch.id, building_id=building_id)))
    keys = queries.keys_of_units(user, [u.id for u in units])
    all_keys = [k for unit_keys in keys.values() for k in unit_keys]
    checks = queries.last_checks([k.id for k in all_keys])
    ok = sum(bool(event.result_ok) for event in checks.values())
    summary = {"total": len(all_keys), "ok": ok, "fails": len(checks) - ok, "untried": len(all_keys) - len(checks)}
    todo = request.args.get("todo") == "1"
    if todo:  # only units with a key not yet tried, failing, or not in the office
        units = [u for u in units if not keys[u.id] or any(k.id not in checks or not checks[k.id].result_ok
                                                           for k in keys[u.id])]
    return render_template("keys/check.html", batch=batch, batches=project_queries.list_batches(user),
                           buildings=buildings, building_id=building_id, units=units, keys=keys, checks=checks,
                           todo=todo,
                           summary=summary,
                           with_contractor=sum(k.status == KeyStatus.WITH_CONTRACTOR for k in all_keys),
                           receive_form=ReceiveForm(formdata=None, building_id=building_id),
                           can_check={s for s in KeyStatus if KeyEventType.CHECKED in rules.KEY.allowed(s)})


@bp.post("/batches/<int:batch_id>/keys/receive")
@requires("keys.manage")
def receive(batch_id: int):
    """Receive every key of the building (or batch) still with the general contractor."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    form = ReceiveForm()
    building_id = int(form.building_id.data) if (form.building_id.data or "").isdigit() else None
    back = url_for("key_desk.check", batch_id=batch.id, building_id=building_id)
    if not form.validate_on_submit():
        flash(_("Say who handed the keys over."), "error")
        return redirect(back)
    stmt = queries.ledger_query(user, batch_id=batch.id, building_id=building_id,
                                status=KeyStatus.WITH_CONTRACTOR).with_for_update(of=Key)
    keys = list(db.session.scalars(stmt).unique())
    data = service.KeyEventInput(type=KeyEventType.RECEIVED, counterparty=form.to.data)
    attempt(lambda: [service.record_key_event(key, data, actor=user) for key in keys],
            success=_("%(n)d keys received from %(who)s.", n=len(keys), who=form.to.data))
    return redirect(back)


@bp.route("/batches/<int:batch_id>/keys/new", methods=["GET", "POST"])
@requires("keys.manage")
def bulk_create(batch_id: int):
    """Create keys of one kind for every unit of the batch that has none of that kind yet."""
    batch = project_queries.get_batch(request_user(), batch_id)
    form = BulkKeysForm()
    if submit(form, lambda: service.create_keys_for_batch(batch, kind=KeyKind(form.kind.data),
                                                          sets_per_unit=form.sets_per_unit.data,
                                                          copies=form.copies.data),
              success=lambda count: _("%(n)d keys created. They are with the general contractor until received.",
                                      n=count)):
        return redirect(url_for("keys.ledger", batch_id=batch.id))
    existing = dict(db.session.execute(sa.select(Key.kind, sa.func.count()).where(Key.batch_id == batch.id)
                                       .group_by(Key.kind)).all())
    return render_template("keys/bulk.html", batch=batch, form=form, existing=existing,
                           units=db.session.scalar(sa.select(sa.func.count()).where(Unit.batch_id == batch.id)))


@bp.route("/batches/<int:batch_id>/keys/import", methods=["GET", "POST"])
@requires("keys.manage")
def import_keys(batch_id: int):
    """Upload the key list and see the keys it would register; nothing is written until confirmed."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    form = KeyImportForm()
    found = preview_upload(form, lambda content: importing.preview_keys(batch, content), purpose=_purpose(batch.id), user_id=user.id)
    return render_template("keys/import.html", batch=batch, form=form, **found,
                           **recent_imports(batch.id, importing.RUN_KIND))


def _purpose(batch_id: int) -> str:
    return f"{importing.RUN_KIND}:{batch_id}"


@bp.post("/batches/<int:batch_id>/keys/import/confirm")
@requires("keys.import")
def confirm_key_import(batch_id: int):
    """Register exactly the previewed key list (same file, same preview)."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    form = ImportConfirmForm()
    back = redirect(url_for("key_desk.import_keys", batch_id=batch.id))
    if not form.validate_on_submit():
        flash(_("The confirmation was incomplete; upload the file again."), "error")
        return back

    def confirm():
        staged = load_staged(form.token.data, purpose=_purpose(batch.id), user_id=user.id, sha256=form.sha256.data)
        return staged, importing.import_keys(batch, staged.content, actor=user,
                                             expected_fingerprint=staged.fingerprint, file_name=staged.file_name,
                                             sha256=staged.sha256)

    outcome = attempt(confirm, success=lambda done: _("Import finished: %(n)d keys registered.", n=done[1]))
    if not outcome:
        return back
    discard_staged(outcome.value[0].token)
    return redirect(url_for("keys.ledger", batch_id=batch.id))


@bp.post("/key-imports/<int:run_id>/undo")
@requires("keys.import")
def undo_key_import(run_id: int):
    """Undo a key import as a whole (same day, latest first, no key moved yet)."""
    user = request_user()
    run = db.session.get(ImportRun, run_id)
    if run is None or run.kind != importing.RUN_KIND:
        raise NotFound(_("No such import."))
    batch = project_queries.get_batch(user, run.batch_id)
    attempt(lambda: import_runs.undo_import(run, actor=user), success=_("The import was undone."))
    return redirect(url_for("key_desk.import_keys", batch_id=batch.id))


@bp.get("/keys/import-template.xlsx")
@requires("keys.manage")
def import_template():
    return Response(importing.template_workbook(), mimetype=XLSX,
                    headers={"Content-Disposition": "attachment; filename=keys-template.xlsx"})
