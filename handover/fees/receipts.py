"""Receipt numbers (收据编号) from a per-project sequence.

Finance no longer types a number for every payment: a blank receipt number takes the project's
next one (prefix + zero-padded number). Numbers are typed only when a paper receipt book is used;
a typed number the sequence later reaches is skipped, never issued twice.

Concurrency: the sequence row is advanced by one atomic ``UPDATE … SET next_number = next_number + 1
… RETURNING``. On PostgreSQL the UPDATE takes the row lock, so a second cashier's UPDATE waits
until the first transaction ends and then reads the advanced value; on SQLite every writing
transaction starts with BEGIN IMMEDIATE (see create_app), so writers queue. Either way no two
payments get the same number, and the unique constraint on payments.receipt_no backs it up.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.fees.models import Payment, ReceiptSequence

DEFAULT_DIGITS = 6
MAX_RECEIPT_LENGTH = 40


@dataclass(frozen=True)
class SequenceSettings:
    prefix: str
    next_number: int
    digits: int = DEFAULT_DIGITS


def default_prefix(project_id: int) -> str:
    """SK1-: receipt numbers are unique across projects, so each project's default prefix differs."""
    return f"SK{project_id}-"


def format_receipt_no(prefix: str, number: int, digits: int) -> str:
    """SK- + 123 with 6 digits → SK-000123 (longer numbers are never cut)."""
    return f"{prefix}{number:0{digits}d}"


def sequence_of(project_id: int) -> ReceiptSequence:
    """The project's sequence row, created with the defaults the first time it is needed."""
    sequence = db.session.scalar(sa.select(ReceiptSequence).where(ReceiptSequence.project_id == project_id))
    if sequence is not None:
        return sequence
    try:
        with db.session.begin_nested():
            sequence = ReceiptSequence(project_id=project_id, prefix=default_prefix(project_id), next_number=1,
                                       digits=DEFAULT_DIGITS)
            db.session.add(sequence)
    except IntegrityError:  # another cashier created it at the same moment
        sequence = db.session.scalar(sa.select(ReceiptSequence).where(ReceiptSequence.project_id == project_id))
    return sequence


def next_receipt_preview(project_id: int) -> str:
    """The number the next blank receipt would get (for display only: it is not reserved)."""
    sequence = db.session.scalar(sa.select(ReceiptSequence).where(ReceiptSequence.project_id == project_id))
    if sequence is None:
        return format_receipt_no(default_prefix(project_id), 1, DEFAULT_DIGITS)
    return format_receipt_no(sequence.prefix, sequence.next_number, sequence.digits)


def take_receipt_no(project_id: int) -> str:
    """Take the project's next receipt number; numbers already used (typed by hand) are skipped."""
    sequence_id = sequence_of(project_id).id
    while True:
        prefix, taken, digits = db.session.execute(
            sa.update(ReceiptSequence).where(ReceiptSequence.id == sequence_id)
            .values(next_number=ReceiptSequence.next_number + 1)
            .returning(ReceiptSequence.prefix, ReceiptSequence.next_number - 1, ReceiptSequence.digits)
            .execution_options(synchronize_session=False)
        ).one()
        receipt_no = format_receipt_no(prefix, taken, digits)
        if not db.session.scalar(sa.select(Payment.id).where(Payment.receipt_no == receipt_no)):
            return receipt_no


def configure_sequence(project_id: int, settings: SequenceSettings) -> ReceiptSequence:
    """Set a project's prefix, next number and digits (e.g. to continue after the last paper receipt)."""
    problems = []
    prefix = (settings.prefix or "").strip()
    if len(prefix) > 20:
        problems.append({"field": "prefix", "message": _("The prefix is at most 20 characters.")})
    if settings.next_number < 1:
        problems.append({"field": "next_number", "message": _("The next number must be at least 1.")})
    if not 1 <= settings.digits <= 12:
        problems.append({"field": "digits", "message": _("Digits must be between 1 and 12.")})
    elif len(format_receipt_no(prefix, settings.next_number, settings.digits)) > MAX_RECEIPT_LENGTH:
        problems.append({"field": "prefix", "message": _("Receipt numbers hold at most 40 characters.")})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    sequence = sequence_of(project_id)
    sequence.prefix, sequence.next_number, sequence.digits = prefix, settings.next_number, settings.digits
    db.session.flush()
    return sequence
