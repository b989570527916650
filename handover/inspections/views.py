"""Inspection pages: a unit's rounds and defects on one screen, a round's checklist results, and
the administrators' checklist editor.

A measured value outside an item's limit fails by itself: `inspections.service.record_result`
decides, and the page only shows what it decided.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import can, requires
from handover.core.errors import DomainError
from handover.core.timeutil import today_local
from handover.defects import queries as defect_queries
from handover.defects import rules as defect_rules
from handover.inspections import checklist, queries, service
from handover.inspections.forms import ChecklistItemForm, ResultsForm, RoundForm
from handover.inspections.models import ChecklistItem, Inspection, InspectionStage
from handover.inspections.rules import describe_limit
from handover.projects import queries as project_queries
from handover.web.forms import attempt, submit
from handover.risks import queries as risk_queries

bp = Blueprint("inspections", __name__)


def _limit(item: ChecklistItem) -> str:
    return describe_limit(item.limit_min, item.limit_max, item.limit_unit)


# --- a unit's rounds and defects -------------------------------------------------------------

@bp.get("/units/<int:unit_id>/inspections")
@requires("inspections.view")
def unit_rounds(unit_id: int):
    """Every inspection round and every defect of a unit on one screen; start a round from here."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = RoundForm(formdata=None, stage=_next_stage(unit), inspected_on=today_local(), inspectors=user.name)
    return _unit_page(unit, form)


def _next_stage(unit) -> str:
    return (InspectionStage.WARRANTY if unit.handed_over_on else InspectionStage.UNIT_ACCEPTANCE).value


def _unit_page(unit, form: RoundForm, status: int = 200):
    today = today_local()
    defects = defect_queries.unit_defects(unit.id)
    overdue_ids = {d.id for d in defects if defect_rules.is_overdue(d.status, d.due_date, today)}
    return render_template("inspections/unit.html", unit=unit, form=form, rounds=queries.unit_rounds(unit.id),
                           defects=defects, overdue_ids=overdue_ids), status


@bp.post("/units/<int:unit_id>/inspections")
@requires("inspections.inspect")
def start_round(unit_id: int):
    """Start a round (stage, date, inspectors) and go straight to its checklist."""
    user = request_user()
    unit = project_queries.get_unit(user, unit_id)
    form = RoundForm()
    started = submit(form, lambda: service.start_inspection(unit, InspectionStage(form.stage.data), actor=user,
                                                            inspected_on=form.inspected_on.data,
                                                            inspectors=form.inspectors.data or ""),
                     success=_("Inspection round started."))
    if not started:
        return _unit_page(unit, form, 422)
    return redirect(url_for("inspections.round_results", inspection_id=started.value.id))


# --- one round's results ---------------------------------------------------------------------

def _round_items(inspection: Inspection) -> list[ChecklistItem]:
    """The checklist for the unit's fit-out, plus items already recorded that are no longer in use."""
    items = service.checklist_for(inspection.unit.fitout_type)
    known = {item.id for item in items}
    return items + [r.item for r in inspection.results if r.item_id not in known]


@bp.get("/inspections/<int:inspection_id>")
@requires("inspections.view")
def round_results(inspection_id: int):
    """Pass/fail toggles per item and a measured value where the item has a limit."""
    inspection = queries.get_inspection(request_user(), inspection_id)
    return _round_page(inspection, _round_items(inspection), ResultsForm())


@bp.post("/inspections/<int:inspection_id>")
@requires("inspections.inspect")
def save_results(inspection_id: int):
    """Record every item given a result, all or nothing; untouched items stay unrecorded."""
    inspection = queries.get_inspection(request_user(), inspection_id)
    items = _round_items(inspection)
    form = ResultsForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Reload the page and try again."), "error")
        return _round_page(inspection, items, form, status=400)
    inputs, problems = form.results(request.form, items)
    if not problems:
        saved = attempt(lambda: _record(inspection, inputs), quiet=True,
                        success=lambda _done: _("%(n)d results saved; %(f)d items fail.", n=len(inputs),
                                                f=sum(1 for r in inspection.results if not r.passed)))
        if saved:
            return redirect(url_for("inspections.round_results", inspection_id=inspection.id))
        problems = saved.error.item_problems  # shown at its item
    flash(_("Some values could not be saved, so nothing was saved. Correct the marked items."), "error")
    return _round_page(inspection, items, form, problems=problems, status=422)


class _ItemRefused(DomainError):
    """One item's result was refused: which item, so the page can mark it."""

    def __init__(self, item_id: int, exc: DomainError):
        super().__init__(exc.message, details=exc.details)
        self.status, self.code, self.item_problems = exc.status, exc.code, {item_id: exc.message}


def _record(inspection: Inspection, inputs) -> None:
    for data in inputs:
        try:
            service.record_result(inspection, data)
        except DomainError as exc:
            raise _ItemRefused(data.item_id, exc) from exc


def _round_page(inspection: Inspection, items: list[ChecklistItem], form: ResultsForm, *,
                problems: dict[int, str] | None = None, status: int = 200):
    return render_template("inspections/round.html", inspection=inspection, unit=inspection.unit, form=form,
                           groups=queries.by_category(items), results={r.item_id: r for r in inspection.results},
                           limits={i.id: _limit(i) for i in items}, problems=problems or {},
                           posted=request.form if problems else None, promises=_promises(inspection),
                           can_check_promises=can(request_user(), "risks.edit")), status


def _promises(inspection: Inspection) -> list[dict]:
    """On the handover walk-through, the unit's sales promises are checklist items too."""
    if inspection.stage not in (InspectionStage.HANDOVER, InspectionStage.SCATTERED):
        return []
    return risk_queries.promises_for_unit(inspection.unit)


# --- the checklist (administrators) ----------------------------------------------------------

@bp.get("/checklist/")
@requires("inspections.edit_checklist")
def checklist_items():
    """Every checklist item by category, with its limit, phrases, fit-out type and warranty class."""
    items = queries.all_checklist_items()
    return render_template("inspections/checklist.html", groups=queries.by_category(items),
                           limits={i.id: _limit(i) for i in items})


@bp.post("/checklist/default")
@requires("inspections.edit_checklist")
def load_default_checklist():
    """Add the default checklist's items that are missing; edited items are left alone."""
    attempt(service.seed_default_checklist,
            success=lambda added: _("%(n)d items of the default checklist added.", n=added) if added
            else _("Every item of the default checklist is already there."))
    return redirect(url_for("inspections.checklist_items"))


@bp.route("/checklist/new", methods=["GET", "POST"])
@requires("inspections.edit_checklist")
def new_checklist_item():
    form = ChecklistItemForm(data={"category": request.args.get("category", "")} if request.method == "GET" else None)
    added = submit(form, lambda: checklist.add_checklist_item(form.values()), success=_("Checklist item added."))
    if added:
        return redirect(url_for("inspections.checklist_items", _anchor=f"item-{added.value.id}"))
    return render_template("inspections/checklist_form.html", form=form, item=None)


@bp.route("/checklist/<int:item_id>/edit", methods=["GET", "POST"])
@requires("inspections.edit_checklist")
def edit_checklist_item(item_id: int):
    item = queries.get_checklist_item(item_id)
    form = ChecklistItemForm.for_item(item) if request.method == "GET" else ChecklistItemForm()
    if submit(form, lambda: checklist.update_checklist_item(item, form.values()), success=_("Checklist item saved.")):
        return redirect(url_for("inspections.checklist_items", _anchor=f"item-{item.id}"))
    return render_template("inspections/checklist_form.html", form=form, item=item)
