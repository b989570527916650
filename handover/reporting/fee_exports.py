"""Fee document exports: the handover notice (which issues the owner's activation code), the
receipt, the batch fee schedule (Excel) and the batch's notices in one PDF.

A small fee schedule is made inside the request; a large one (more units than
FEE_SCHEDULE_SYNC_MAX_UNITS) and a batch's notices are background jobs, run by the functions
below through `handover.jobs`. Callers have already checked that the user may see the batch,
unit or payment. Documents are Chinese forms, so they are made in Chinese whatever the
user's language.
"""
import io
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from handover.accounts import service as accounts
from handover.accounts.models import ActivationCode, Role, User
from handover.accounts.rules import ACTIVATION_ROLES
from handover.core.errors import Conflict, ValidationFailed
from handover.core.timeutil import to_local, today_local
from handover.extensions import db
from handover.fees import queries
from handover.fees.models import Payment
from handover.fees.settlement import settlement_for as statement_for
from handover.jobs import service as jobs
from handover.jobs.models import Job
from handover.jobs.runner import JobContext
from handover.projects.models import Batch, Unit
from handover.reporting import fee_documents, fee_pdf
from handover.reporting.exports import PDF_MIMETYPE, XLSX_MIMETYPE, FileResult
from handover.reporting.xlsx import Column, write_xlsx

#: who may issue handover notices: each one issues the owner a fresh portal activation code
NOTICE_ROLES = ACTIVATION_ROLES | {Role.FINANCE}
#: who may read a whole batch's fees (overview page, fee schedule)
FEE_OVERVIEW_ROLES = frozenset({Role.ADMIN, Role.FINANCE, Role.MANAGER, Role.SALES})
DOCUMENT_LOCALE = "zh_Hans_CN"
SCHEDULE_KIND = "fee_schedule"
NOTICES_KIND = "handover_notices"
DEFAULT_SCHEDULE_SYNC_MAX_UNITS = 500
#: units gathered (and their codes issued) per transaction while making a batch's notices
UNITS_PER_CHUNK = 50


def _activation(unit: Unit, *, actor: User, codes: dict[int, str]) -> fee_documents.Activation:
    """A fresh code for the primary owner, or the one already issued for them in this run (an owner
    of two units gets one code: a second would cancel the first)."""
    owner = unit.contract.owner
    url, phone = url_for("accounts.activate", _external=True), fee_documents.masked_phone(unit)
    if db.session.scalar(sa.select(User.id).where(User.owner_id == owner.id)):
        return fee_documents.Activation(None, phone, None, url_for("accounts.login", _external=True),
                                        activated=True)
    if owner.id not in codes:
        try:
            codes[owner.id] = accounts.issue_activation_code(owner, actor=actor)
        except ValidationFailed as exc:
            return fee_documents.Activation(None, phone, None, url, problem=exc.message)
    expires_at = db.session.scalar(sa.select(ActivationCode.expires_at).where(ActivationCode.owner_id == owner.id)
                                   .order_by(ActivationCode.id.desc()).limit(1))
    return fee_documents.Activation(codes[owner.id], phone, to_local(expires_at).date(), url)


def issue_notice(unit: Unit, *, actor: User, codes: dict[int, str] | None = None) -> fee_documents.Notice:
    """Gather the unit's handover notice and issue its owner a fresh portal activation code
    (earlier unused codes stop working). Flushes; the caller commits. Raises Conflict for a
    unit whose buyer returned it, ValidationFailed for a unit without a contract."""
    with force_locale(DOCUMENT_LOCALE):  # what the statement says goes on a Chinese form
        statement = statement_for(unit)
    if statement.returned:  # a refusal is for the user, in their language
        raise Conflict(_("The buyer returned the unit: no handover notice is issued."))
    with force_locale(DOCUMENT_LOCALE):
        activation = _activation(unit, actor=actor, codes={} if codes is None else codes)
    return fee_documents.notice(statement, activation)


def notice_pdf(unit: Unit, *, actor: User) -> FileResult:
    """One unit's notice, made at once; its activation code is issued (the caller commits)."""
    notice = issue_notice(unit, actor=actor)
    with force_locale(DOCUMENT_LOCALE):
        return FileResult(fee_pdf.render_notice(notice), notice.file_name, PDF_MIMETYPE)


def receipt_pdf(payment: Payment) -> FileResult:
    with force_locale(DOCUMENT_LOCALE):
        receipt = fee_documents.receipt(payment, payment.unit)
        return FileResult(fee_pdf.render_receipt(receipt), receipt.file_name, PDF_MIMETYPE)


def _schedule_name(batch_name: str) -> str:
    return f"费用明细-{batch_name}-{today_local():%Y%m%d}.xlsx".replace("/", "-")


def write_schedule(target, schedule: fee_documents.FeeSchedule) -> None:
    columns = [Column(header, width) for _key, header, width in schedule.columns]
    write_xlsx(target, columns, schedule.value_rows(), sheet_title="费用明细")


def gather_schedule(batch: Batch) -> fee_documents.FeeSchedule:
    with force_locale(DOCUMENT_LOCALE):
        return fee_documents.schedule(batch.name, queries.batch_statements(batch.id))


def export_schedule(batch: Batch, *, actor: User) -> FileResult | Job:
    """The batch's fee schedule: the file, or a queued job for more than FEE_SCHEDULE_SYNC_MAX_UNITS units."""
    limit = current_app.config.get("FEE_SCHEDULE_SYNC_MAX_UNITS", DEFAULT_SCHEDULE_SYNC_MAX_UNITS)
    if len(queries.batch_unit_ids(batch.id)) > limit:
        return jobs.enqueue(SCHEDULE_KIND, {"batch_id": batch.id}, actor=actor)
    out = io.BytesIO()
    write_schedule(out, gather_schedule(batch))
    return FileResult(out.getvalue(), _schedule_name(batch.name), XLSX_MIMETYPE)


def schedule_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: the batch's fee schedule as Excel."""
    batch = db.session.get(Batch, ctx.params["batch_id"])
    schedule = gather_schedule(batch)
    db.session.commit()
    path = ctx.out_dir / "fee-schedule.xlsx"
    write_schedule(path, schedule)
    return path, _schedule_name(batch.name)


def start_notices(batch: Batch, *, actor: User) -> Job:
    """Queue the handover notices of every unit in the batch (one PDF, each notice on new pages)."""
    return jobs.enqueue(NOTICES_KIND, {"batch_id": batch.id}, actor=actor)


def gather_notices(unit_ids: list[int], actor: User,
                   progress: Callable[[int], None]) -> list[fee_documents.Notice]:
    """Notices of the units in order, codes issued and committed a chunk at a time, so the
    database is never held while rendering. Units whose buyer returned them are left out."""
    notices, codes = [], {}
    for start in range(0, len(unit_ids), UNITS_PER_CHUNK):
        for unit in queries.units_in_order(unit_ids[start:start + UNITS_PER_CHUNK]):
            try:
                notices.append(issue_notice(unit, actor=actor, codes=codes))
            except Conflict:
                continue
        db.session.commit()
        progress(min(start + UNITS_PER_CHUNK, len(unit_ids)))
    return notices


def notices_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: every unit's handover notice in one PDF; progress counts gathering, then layout."""
    batch = db.session.get(Batch, ctx.params["batch_id"])
    batch_name, unit_ids = batch.name, queries.batch_unit_ids(batch.id)
    steps = 2 * max(len(unit_ids), 1)
    with force_locale(DOCUMENT_LOCALE):
        notices = gather_notices(unit_ids, ctx.actor, lambda done: ctx.progress(done, steps))
        path = ctx.out_dir / "handover-notices.pdf"
        fee_pdf.render_notices(notices, path, on_page=lambda done: ctx.progress(len(unit_ids) + done, steps))
    return path, f"交付通知书-{batch_name}.pdf".replace("/", "-")
