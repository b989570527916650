"""Finance page: a project's receipt numbering (prefix, next number, digits)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.core.errors import ValidationFailed
from handover.extensions import db
from handover.fees import receipts
from handover.fees.forms import ReceiptSequenceForm
from handover.projects import queries as project_queries

bp = Blueprint("receipts", __name__)


@bp.route("/projects/<int:project_id>/receipt-numbers", methods=["GET", "POST"])
@requires("fees.receipts")
def receipt_numbers(project_id: int):
    """Set where the project's receipt numbers continue (e.g. after the last paper receipt book)."""
    project = project_queries.get_project(request_user(), project_id)
    sequence = receipts.sequence_of(project.id)
    form = ReceiptSequenceForm(obj=sequence)
    if form.validate_on_submit():
        try:
            receipts.configure_sequence(project.id, receipts.SequenceSettings(
                prefix=form.prefix.data or "", next_number=form.next_number.data, digits=form.digits.data))
        except ValidationFailed as exc:
            db.session.rollback()
            for item in exc.details:
                getattr(form, item["field"]).errors.append(item["message"])
        else:
            db.session.commit()
            flash(_("Receipt numbering saved: the next receipt is %(no)s.",
                    no=receipts.next_receipt_preview(project.id)), "success")
            return redirect(url_for("receipts.receipt_numbers", project_id=project.id))
    else:
        db.session.commit()  # the sequence row, created with its defaults on first visit
    return render_template("fees/receipt_numbers.html", project=project, form=form,
                           next_receipt=receipts.next_receipt_preview(project.id))
