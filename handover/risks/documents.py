"""Risk documents: the risk register (Excel) and the readiness report (PDF) of a batch, laid out
from plain rows with the reporting toolkit (xlsx writer, Chinese-capable PDF helpers)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from reportlab.lib.units import mm

from handover.core.timeutil import now_utc, to_local
from handover.projects.models import Batch
from handover.reporting import pdf
from handover.reporting.xlsx import Column, write_xlsx
from handover.risks import queries, rules
from handover.risks.models import Risk


def register_file_name(batch: Batch) -> str:
    return f"{_('Risk register')}-{batch.name}.xlsx"


def readiness_file_name(batch: Batch) -> str:
    return f"{_('Readiness report')}-{batch.name}.pdf"


def late_warning(batch: Batch) -> str:
    return _("The transfer is later than 20 days before the handover window (%(date)s): "
             "the property company has less time to clean and prepare.",
             date=rules.latest_transfer_date(batch.window_start))


# --- the register (Excel) --------------------------------------------------------------------

def _register_columns() -> list[Column]:
    return [Column(_("No."), 6), Column(_("Category"), 8), Column(_("Building"), 10), Column(_("Title"), 30),
            Column(_("Description"), 40), Column(_("Severity"), 10), Column(_("Status"), 14),
            Column(_("Department"), 12), Column(_("Found by"), 10), Column(_("Found on"), 12),
            Column(_("Rectification plan"), 36), Column(_("Plan owner"), 12), Column(_("Deadline"), 12),
            Column(_("Overdue"), 8), Column(_("Agreed statement"), 40), Column(_("Compensation plan"), 30),
            Column(_("Approved by"), 10), Column(_("Approved at"), 16), Column(_("Manager override"), 30)]


def register_row(risk: Risk) -> list:
    return [risk.id, risk.category.value, risk.building.name if risk.building else _("Whole batch"), risk.title,
            risk.description, risk.severity.label, risk.status.label, risk.department, risk.found_by_name,
            risk.found_on, risk.plan, risk.plan_owner, risk.due_date,
            _("Yes") if queries.risk_overdue(risk) else "", risk.statement, risk.compensation_plan,
            risk.approved_by_name, risk.approved_at, risk.override_reason]


def risk_register_xlsx(batch: Batch, risks: list[Risk]) -> bytes:
    """One row per risk (the filters the caller applied), in the register's order."""
    out = io.BytesIO()
    write_xlsx(out, _register_columns(), (register_row(r) for r in risks), sheet_title=_("Risk register"))
    return out.getvalue()


# --- the readiness report (PDF) --------------------------------------------------------------

@dataclass(frozen=True)
class ReadinessReport:
    batch: Batch
    building_name: str | None
    readiness: dict
    risks: list[Risk]
    statements: list[Risk]
    printed_at: datetime


def gather_readiness(batch: Batch, building_id: int | None = None) -> ReadinessReport:
    building = next((b for b in batch.buildings if b.id == building_id), None) if building_id else None
    return ReadinessReport(batch=batch, building_name=building.name if building else None,
                           readiness=queries.readiness(batch, building_id),
                           risks=queries.risks_of(batch.id, queries.RiskFilters(building_id=building_id)),
                           statements=[r for r in queries.statements(batch.id)
                                       if not building_id or r.building_id in (None, building_id)],
                           printed_at=now_utc())


def _decision(risk: Risk) -> str:
    if risk.statement and risk.status.value == "accepted":
        return _("Accepted by %(name)s: %(statement)s", name=risk.approved_by_name, statement=risk.statement)
    if risk.plan:
        return _("Plan: %(plan)s (%(owner)s, by %(date)s)", plan=risk.plan, owner=risk.plan_owner,
                 date=risk.due_date)
    if risk.override_reason:
        return _("Manager override: %(reason)s", reason=risk.override_reason)
    return _("No decision yet")


def readiness_pdf(report: ReadinessReport) -> bytes:
    """Verdict and reasons, categories A–H, risks and their decisions, statements, sign-off lines."""
    st = pdf.styles()
    r = report.readiness
    story = [pdf.text(_("Handover readiness report"), st.title), pdf.fields_table([
        (_("Project"), report.batch.project.name), (_("Batch"), report.batch.name),
        (_("Scope"), _("Building %(name)s", name=report.building_name) if report.building_name else _("Whole batch")),
        (_("Handover window"), f"{report.batch.window_start or '—'} – {report.batch.window_end or '—'}"),
        (_("Printed"), to_local(report.printed_at).strftime("%Y-%m-%d %H:%M")),
    ], st), pdf.spacer(3)]
    verdict = _("Ready to hand over") if r["ready"] else _("Not ready to hand over")
    story.append(pdf.text(verdict, st.heading))
    story += [pdf.text(f"• {reason}", st.body) for reason in r["reasons"]]
    story += [pdf.text(f"△ {warning}", st.body) for warning in r["warnings"]]
    story.append(pdf.text(_("Self-check categories"), st.heading))
    story.append(pdf.data_table(
        [_("Category"), _("What is checked"), _("Answered"), _("Risks found"), _("Checked")],
        [[c["category"], c["label"], f"{c['answered']}/{c['total']}", c["risks_found"],
          _("Yes") if c["checked"] else _("No")] for c in r["categories"]],
        [16 * mm, 90 * mm, 24 * mm, 24 * mm, pdf.FRAME_WIDTH - 154 * mm], st))
    story.append(pdf.text(_("Risks and decisions"), st.heading))
    story.append(pdf.data_table(
        [_("No."), _("Category"), _("Severity"), _("Title"), _("Status"), _("Decision")],
        [[risk.id, risk.category.value, risk.severity.label, risk.title, risk.status.label, _decision(risk)]
         for risk in report.risks] or [["", "", "", _("No risks recorded."), "", ""]],
        [12 * mm, 14 * mm, 16 * mm, 50 * mm, 24 * mm, pdf.FRAME_WIDTH - 116 * mm], st))
    story.append(pdf.text(_("Agreed statements"), st.heading))
    for risk in report.statements:
        story += [pdf.text(f"{risk.category.value} · {risk.title}", st.body),
                  pdf.text(risk.statement, st.cell),
                  pdf.text(_("Compensation plan: %(plan)s", plan=risk.compensation_plan), st.small),
                  pdf.spacer(2)]
    if not report.statements:
        story.append(pdf.text(_("No accepted risks."), st.body))
    story.append(pdf.text(_("Transfer to the property company"), st.heading))
    story.append(pdf.data_table(
        [_("Building"), _("Transferred on"), _("Due by"), _("Late")],
        [[t["building"], t["transferred_on"] or _("Not yet"), t["due_by"] or "—", _("Yes") if t["late"] else ""]
         for t in r["transfers"]], [40 * mm, 40 * mm, 40 * mm, pdf.FRAME_WIDTH - 120 * mm], st))
    story.append(pdf.spacer(8))
    story.append(pdf.keep_together(pdf.text(_("Sign-off"), st.heading), pdf.signature_lines(
        [_("Engineering"), _("Sales")], st), pdf.signature_lines([_("Property management"), _("Manager")], st)))
    project = report.batch.project
    letterhead = pdf.Letterhead(project.company, _("Handover readiness report"), report.batch.name,
                                f"ZB-{report.batch.id:04d}-{to_local(report.printed_at):%Y%m%d}")
    return pdf.render(story, title=_("Handover readiness report"), footer=report.batch.name, letterhead=letterhead)
