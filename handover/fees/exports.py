"""Fee document exports: the handover notice, the receipt, the batch fee schedule (Excel) and
the batch's notices in one PDF, gathered by `document_rows` and laid out by `documents`.

A small fee schedule is made inside the request; a large one (more units than
FEE_SCHEDULE_SYNC_MAX_UNITS) and a batch's notices are background jobs, run by the functions
below through `handover.jobs`. Callers have already checked that the user may see the batch,
unit or payment. Documents are Chinese forms, so they are made in Chinese whatever the
user's language.

Making a notice never issues an activation code: the page or job that prints notices asks the
accounts service for the codes explicitly (`issue_activations`), and the notice prints what it
is given.
"""
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from handover.accounts import service as accounts
from handover.accounts.models import User
from handover.accounts.rules import phone_for
from handover.core.errors import Conflict
from handover.core.timeutil import to_local, today_local
from handover.extensions import db
from handover.fees import document_rows, documents, queries
from handover.fees.models import Payment
from handover.fees.settlement import Settlement, settlement_for, settlements_for
from handover.jobs import service as jobs
from handover.jobs.models import Job
from handover.jobs.runner import JobContext
from handover.projects.models import Batch, Unit
from handover.reporting.files import PDF_MIMETYPE, XLSX_MIMETYPE, FileResult
from handover.reporting.xlsx import Column, write_workbook

DOCUMENT_LOCALE = "zh_Hans_CN"
SCHEDULE_KIND = "fee_schedule"
NOTICES_KIND = "handover_notices"
DEFAULT_SCHEDULE_SYNC_MAX_UNITS = 500
#: units gathered (and their codes issued) per transaction while making a batch's notices
UNITS_PER_CHUNK = 50


def notice_statement(unit: Unit) -> Settlement:
    """The statement a unit's notice shows. Raises Conflict for a unit whose buyer returned it,
    ValidationFailed for a unit without a contract. Changes nothing."""
    with force_locale(DOCUMENT_LOCALE):  # what the statement says goes on a Chinese form
        statement = settlement_for(unit)
    if statement.returned:  # a refusal is for the user, in their language
        raise Conflict(_("The buyer returned the unit: no handover notice is issued."))
    return statement


def issue_activations(units: Iterable[Unit], *, actor: User,
                      issued: dict[int, accounts.OwnerActivation] | None = None
                      ) -> dict[int, accounts.OwnerActivation]:
    """Ask the accounts service for the portal activation of each unit's primary owner, by owner
    id, to print on their notices: the owner's live code (the same on every print) or a new one,
    or none for an owner who already has an account. Only when `actor` may issue codes; otherwise nothing is
    issued and the notices send the owner to the service desk. An owner already in `issued` (of an
    earlier unit of the same run) keeps that code: a second would cancel the first. Flushes."""
    issued = {} if issued is None else issued
    if not accounts.may_issue_activation_codes(actor):
        return issued
    with force_locale(DOCUMENT_LOCALE):  # a reason for no code is printed on the Chinese form
        for unit in units:
            owner = unit.contract.owner
            if owner.id not in issued:
                issued[owner.id] = accounts.activation_for_letter(owner, actor=actor)
    return issued


def public_url(endpoint: str) -> str:
    """The address printed on a letter: PUBLIC_URL (configured) and the page's path; never the host
    the request came in on (a staff member printing on an internal address must not send owners
    there). Without PUBLIC_URL only the path is printed."""
    base = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return f"{base}{url_for(endpoint)}"


def _activation(unit: Unit, issued: dict[int, accounts.OwnerActivation]) -> document_rows.Activation:
    """What the notice prints about the owner's portal account, from what was issued for it."""
    owner = unit.contract.owner
    url, phone = public_url("accounts.activate"), document_rows.masked_phone(unit)
    given = issued.get(owner.id)
    if given is None:
        if accounts.has_portal_account(owner):
            return document_rows.Activation(None, phone, None, public_url("accounts.login"), activated=True)
        return document_rows.Activation(None, phone, None, url, withheld=True)
    if given.activated:
        return document_rows.Activation(None, phone, None, public_url("accounts.login"), activated=True)
    if given.code is None:
        return document_rows.Activation(None, phone, None, url, problem=given.problem)
    return document_rows.Activation(given.code, phone, to_local(given.expires_at).date(), url)


def notice(statement: Settlement, issued: dict[int, accounts.OwnerActivation]) -> document_rows.Notice:
    """The notice of the statement's unit, with the activation issued for its owner (if any)."""
    with force_locale(DOCUMENT_LOCALE):
        return document_rows.notice(statement, _activation(statement.unit, issued))


def notice_pdf(statement: Settlement, issued: dict[int, accounts.OwnerActivation]) -> FileResult:
    """One unit's notice, made at once, printing the activation issued for its owner (if any)."""
    gathered = notice(statement, issued)
    with force_locale(DOCUMENT_LOCALE):
        return FileResult(documents.render_notice(gathered), gathered.file_name, PDF_MIMETYPE)


def fee_statement_pdf(unit: Unit) -> FileResult:
    """费用结算确认单: the unit's fee statement for the buyers to sign (one page). ValidationFailed
    for a unit without a contract."""
    with force_locale(DOCUMENT_LOCALE):
        sheet = document_rows.fee_statement(settlement_for(unit))
        return FileResult(documents.render_fee_statement(sheet), sheet.file_name, PDF_MIMETYPE)


def receipt_pdf(payment: Payment) -> FileResult:
    with force_locale(DOCUMENT_LOCALE):
        receipt = document_rows.receipt(payment, payment.unit)
        return FileResult(documents.render_receipt(receipt), receipt.file_name, PDF_MIMETYPE)


def _schedule_name(batch_name: str) -> str:
    return f"费用明细-{batch_name}-{today_local():%Y%m%d}.xlsx".replace("/", "-")


def write_schedule(target, schedule: document_rows.FeeSchedule) -> None:
    columns = [Column(header, width) for _key, header, width in schedule.columns]
    payments = [Column(header, width) for _key, header, width in document_rows.PAYMENT_COLUMNS]
    write_workbook(target, [("费用明细", columns, schedule.value_rows()), ("收退款记录", payments, schedule.payments)])


def gather_schedule(batch: Batch, actor: User) -> document_rows.FeeSchedule:
    """The schedule as `actor` may read it: owners' phones in full for finance, masked for others."""
    with force_locale(DOCUMENT_LOCALE):
        return document_rows.schedule(batch.name, queries.batch_statements(batch.id),
                                      phone=lambda phone: phone_for(actor, phone) or "",
                                      payments=document_rows.payment_rows(batch.id))


def export_schedule(batch: Batch, *, actor: User) -> FileResult | Job:
    """The batch's fee schedule: the file, or a queued job for more than FEE_SCHEDULE_SYNC_MAX_UNITS units."""
    limit = current_app.config.get("FEE_SCHEDULE_SYNC_MAX_UNITS", DEFAULT_SCHEDULE_SYNC_MAX_UNITS)
    if len(queries.batch_unit_ids(batch.id)) > limit:
        return jobs.enqueue(SCHEDULE_KIND, {"batch_id": batch.id}, actor=actor)
    out = io.BytesIO()
    write_schedule(out, gather_schedule(batch, actor))
    return FileResult(out.getvalue(), _schedule_name(batch.name), XLSX_MIMETYPE)


def schedule_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: the batch's fee schedule as Excel."""
    batch = db.session.get(Batch, ctx.params["batch_id"])
    schedule = gather_schedule(batch, ctx.actor)
    db.session.commit()
    path = ctx.out_dir / "fee-schedule.xlsx"
    write_schedule(path, schedule)
    return path, _schedule_name(batch.name)


def start_notices(batch: Batch, *, actor: User) -> Job:
    """Queue the handover notices of every unit in the batch (one PDF, each notice on new pages)."""
    return jobs.enqueue(NOTICES_KIND, {"batch_id": batch.id}, actor=actor)


@dataclass(frozen=True)
class Skipped:
    """A unit that gets no notice, and why (printed at the end of the batch file and in the job message)."""

    unit_label: str
    reason: str


def gather_notices(unit_ids: list[int], actor: User, progress: Callable[[int], None],
                   skipped: list[Skipped] | None = None) -> list[document_rows.Notice]:
    """Notices of the units in order, their owners' codes issued (when `actor` may) and committed a
    chunk at a time, so the database is never held while rendering. Units whose buyer returned
    them, or whose statement cannot be made, are left out (listed in `skipped` with why), and their
    owners are issued nothing. `progress(done)` is called after each unit."""
    notices, issued = [], {}
    skipped = [] if skipped is None else skipped
    done = 0
    for start in range(0, len(unit_ids), UNITS_PER_CHUNK):
        chunk = list(queries.units_in_order(unit_ids[start:start + UNITS_PER_CHUNK]))
        with force_locale(DOCUMENT_LOCALE):  # a chunk's statements in a fixed number of queries
            settled = {s.unit.id: s for s in settlements_for([unit for unit in chunk if unit.contract is not None])}
            no_buyer = _("The unit has no contract.")
        statements = []
        for unit in chunk:
            statement = settled.get(unit.id)
            if statement is None:
                skipped.append(Skipped(unit.full_name, no_buyer))
            elif statement.returned:
                skipped.append(Skipped(unit.full_name, "买受人已退房"))
            else:
                statements.append(statement)
            done += 1
            progress(done)
        issue_activations([statement.unit for statement in statements], actor=actor, issued=issued)
        notices += [notice(statement, issued) for statement in statements]
        db.session.commit()
    return notices


def skipped_message(made: int, skipped: list[Skipped]) -> str:
    """The finished job's message: how many notices were made, which units were skipped and why."""
    if not skipped:
        return _("%(made)d handover notices made.", made=made)
    units = "; ".join(f"{s.unit_label}: {s.reason}" for s in skipped)
    return _("%(made)d handover notices made, %(skipped)d units skipped: %(units)s",
             made=made, skipped=len(skipped), units=units)[:255]


def notices_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: every unit's handover notice in one PDF; progress counts gathering, then layout. Units
    that get no notice (returned, no buyer) are listed on the file's last page and in the message."""
    batch = db.session.get(Batch, ctx.params["batch_id"])
    batch_name, unit_ids = batch.name, queries.batch_unit_ids(batch.id)
    skipped = [Skipped(unit.full_name, "未登记买受人（无合同）")
               for unit in queries.batch_units_without_contract(batch.id)]
    steps = 2 * max(len(unit_ids), 1)
    ctx.progress(0, steps)
    ctx.say(_("Gathering fee statements of %(count)d units…", count=len(unit_ids)))
    notices = gather_notices(unit_ids, ctx.actor, lambda done: ctx.progress(done, steps), skipped)
    ctx.say(_("Laying out %(count)d handover notices…", count=len(notices)))
    with force_locale(DOCUMENT_LOCALE):
        path = ctx.out_dir / "handover-notices.pdf"
        documents.render_notices(notices, path, on_page=lambda done: ctx.progress(len(unit_ids) + done, steps),
                                 skipped=[(s.unit_label, s.reason) for s in skipped])
    ctx.message = skipped_message(len(notices), skipped)
    return path, f"交付通知书-{batch_name}.pdf".replace("/", "-")
