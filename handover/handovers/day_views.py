"""Handover-day pages (tablet-sized): slots and appointments, the check-in desk, each station's
queue, the site console, and the owner's booking in the portal."""
import secrets
from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields import SelectChoice

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.timeutil import local_tz, to_local, today_local
from handover.handovers import appointments, day_queries, day_rules, document_rows, exports, visits, walkthrough
from handover.handovers.day_forms import BookForm, CheckInForm, ReadingsForm, SlotForm, StepForm
from handover.projects import queries as project_queries
from handover.reporting.files import send
from handover.web.forms import attempt, submit

bp = Blueprint("handover_day", __name__)


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=local_tz())


@bp.route("/batches/<int:batch_id>/handover-day/slots", methods=["GET", "POST"])
@requires("handovers.plan_day")
def slots(batch_id: int):
    """Time slots with their capacity, the day's appointments and the reminder outbox."""
    batch = project_queries.get_batch(request_user(), batch_id)
    form = SlotForm()
    if submit(form, lambda: appointments.create_slot(batch, starts_at=_local(form.starts_at.data),
                                                     ends_at=_local(form.ends_at.data), capacity=form.capacity.data),
              success=_("Slot added.")):
        return redirect(url_for("handover_day.slots", batch_id=batch.id))
    return render_template("handovers/day/slots.html", batch=batch, form=form,
                           slots=appointments.slots(batch.id), booked=appointments.appointments(batch.id),
                           reminders=appointments.reminders(batch.id), to_local=to_local)


@bp.get("/batches/<int:batch_id>/handover-day/desk")
@requires("handovers.check_in")
def desk(batch_id: int):
    """Find the owner by phone, name, unit or the notice's QR code; check them in."""
    user = request_user()
    batch = project_queries.get_batch(user, batch_id)
    query = request.args.get("q", "").strip()
    found = visits.find_units(project_queries.units_query(user, batch_id=batch.id), query) if query else []
    form = CheckInForm(formdata=None)
    form.idempotency_key.data = secrets.token_urlsafe(16)
    return render_template("handovers/day/desk.html", batch=batch, query=query, found=found, form=form,
                           today=visits.visits_of_day(batch.id, today_local()), open_visit=visits.open_visit,
                           appointment_of=appointments.appointment_of, to_local=to_local,
                           visit_labels=day_rules.VISIT_STATUS_LABELS)


@bp.post("/batches/<int:batch_id>/handover-day/desk/<int:unit_id>")
@requires("handovers.check_in")
def check_in(batch_id: int, unit_id: int):
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    if unit.batch_id != batch_id:
        abort(404)
    form = CheckInForm()
    outcome = submit(form, lambda: visits.check_in(
        unit, actor=user, identity=form.identity.data, id_last4=form.id_last4.data or "",
        visitor_name=form.visitor_name.data or "", proxy_letter=form.proxy_letter.data or "",
        idempotency_key=form.idempotency_key.data or None),
        success=lambda result: _("Checked in: queue number %(n)s.", n=result[0].ticket_no), quiet=True)
    if not outcome:
        message = outcome.error.message if outcome.error else (
            "; ".join(e for errors in form.errors.values() for e in errors) or _("Check the form."))
        flash(message, "error")
        return redirect(url_for("handover_day.desk", batch_id=batch_id, q=request.form.get("q", unit.room_no)))
    return redirect(url_for("handover_day.desk", batch_id=batch_id))


@bp.get("/batches/<int:batch_id>/handover-day/stations/<step>")
@requires("handovers.station")
def station(batch_id: int, step: str):
    """A station's queue: call the next number; mark done, or refused with the reason."""
    batch = project_queries.get_batch(request_user(), batch_id)
    if step not in day_rules.STEPS:
        abort(404)
    form = StepForm(formdata=None)
    form.idempotency_key.data = secrets.token_urlsafe(16)
    return render_template("handovers/day/station.html", batch=batch, step=step, steps=appointments.steps_of(batch.id),
                           queue=visits.queue(batch.id, step), form=form, readings=ReadingsForm(formdata=None),
                           latest_reading=visits.latest_reading, walkthrough_signed=visits.walkthrough_signed,
                           to_local=to_local)


@bp.post("/batches/<int:batch_id>/handover-day/stations/<step>/call")
@requires("handovers.station")
def call_next(batch_id: int, step: str):
    batch = project_queries.get_batch(request_user(), batch_id)
    outcome = attempt(lambda: visits.call_next(batch.id, step, actor=request_user()))
    if outcome and outcome.value is None:
        flash(_("Nobody is waiting."), "info")
    elif outcome:
        flash(_("Calling number %(n)s.", n=outcome.value.ticket_no), "success")
    return redirect(url_for("handover_day.station", batch_id=batch.id, step=step))


@bp.post("/visits/<int:visit_id>/steps/<step>/<status>")
@requires("handovers.station")
def record_step(visit_id: int, step: str, status: str):
    visit = visits.get_visit(visit_id)
    project_queries.get_unit(request_user(), visit.unit_id)
    if status not in ("done", "refused", "skipped"):
        abort(404)
    form = StepForm()
    if form.validate_on_submit():
        attempt(lambda: visits.record_step(visit, step, status, actor=request_user(), note=form.note.data or "",
                                           idempotency_key=form.idempotency_key.data or None),
                success=_("Number %(n)s: %(status)s.", n=visit.ticket_no, status=day_rules.STEP_STATUS_LABELS[
                    {"done": day_rules.DONE, "refused": day_rules.REFUSED, "skipped": day_rules.SKIPPED}[status]]))
    return redirect(url_for("handover_day.station", batch_id=visit.batch_id, step=step))


@bp.post("/units/<int:unit_id>/meter-readings")
@requires("handovers.station")
def readings(unit_id: int):
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = ReadingsForm()
    if form.validate_on_submit():
        attempt(lambda: walkthrough.record_readings(unit, {m: form[m].data for m in day_rules.METERS}, actor=user),
                success=_("Meter readings recorded."))
    else:
        flash(_("Enter the water, electricity and gas readings."), "error")
    return redirect(request.form.get("next") or url_for("handovers.unit", unit_id=unit.id))


@bp.get("/batches/<int:batch_id>/handover-day")
@requires("handovers.view_day")
def console(batch_id: int):
    """The site console (wall screen, refreshes itself): the day's figures per station."""
    batch = project_queries.get_batch(request_user(), batch_id)
    day = today_local()
    if request.args.get("date"):
        try:
            day = datetime.strptime(request.args["date"], "%Y-%m-%d").date()
        except ValueError:
            abort(404)
    summary = day_queries.day_summary(batch.id, day)
    queues = {step: visits.queue(batch.id, step, day=day) for step in summary.steps}
    return render_template("handovers/day/console.html", batch=batch, summary=summary, queues=queues,
                           labels=day_rules.STEPS, refresh=day == today_local())


@bp.route("/my/units/<int:unit_id>/appointment", methods=["GET", "POST"])
@requires("handovers.book")
def book(unit_id: int):
    """The owner books, moves or cancels the handover appointment (staff: on the owner's behalf)."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    current = appointments.appointment_of(unit.id)
    open_slots = appointments.slots(unit.batch_id, upcoming=True)
    form = BookForm()
    form.slot_id.choices = [SelectChoice(s.id, f"{to_local(s.starts_at):%Y-%m-%d %H:%M}–{to_local(s.ends_at):%H:%M} "
                                   + _("(%(free)s free)", free=s.capacity - s.booked)) for s in open_slots]
    if request.method == "POST" and request.form.get("cancel"):
        if attempt(lambda: appointments.cancel(unit, actor=user), success=_("Appointment cancelled.")):
            return redirect(url_for("handover_day.book", unit_id=unit.id))
    elif submit(form, lambda: appointments.book(unit, form.slot_id.data, actor=user),
                success=_("Appointment booked.")):
        return redirect(url_for("handover_day.book", unit_id=unit.id))
    return render_template("handovers/day/book.html", unit=unit, form=form, current=current, to_local=to_local)


@bp.get("/units/<int:unit_id>/handover-record.pdf")
@requires("handovers.record")
def handover_record_pdf(unit_id: int):
    """The 收楼确认书 (owners: their own units, from the portal)."""
    return send(exports.handover_record(project_queries.get_unit(request_user(), unit_id)), attachment=False)


def _day_arg() -> date:
    if not request.args.get("date"):
        return today_local()
    try:
        return datetime.strptime(request.args["date"], "%Y-%m-%d").date()
    except ValueError:
        abort(404)


@bp.get("/batches/<int:batch_id>/handover-day/bulletin")
@requires("handovers.view_day")
def bulletin(batch_id: int):
    """The evening bulletin (交付快报): the day's figures, ready to post in the group."""
    batch = project_queries.get_batch(request_user(), batch_id)
    rows = document_rows.bulletin_rows(batch, _day_arg())
    return render_template("handovers/day/bulletin.html", batch=batch, rows=rows, summary=rows.summary,
                           labels=day_rules.STEPS)


@bp.get("/batches/<int:batch_id>/handover-day/bulletin.<fmt>")
@requires("handovers.view_day")
def bulletin_file(batch_id: int, fmt: str):
    batch = project_queries.get_batch(request_user(), batch_id)
    if fmt == "pdf":
        return send(exports.bulletin_pdf(batch, _day_arg()), attachment=False)
    if fmt == "xlsx":
        return send(exports.bulletin_xlsx(batch, _day_arg()))
    abort(404)
