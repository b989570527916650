"""Finance page: a project's receipt numbering (prefix, next number, digits)."""
from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _

from handover.accounts.access import request_user
from handover.accounts.permissions import requires
from handover.fees import receipts
from handover.fees.forms import ReceiptSequenceForm
from handover.projects import queries as project_queries
from handover.web.forms import save, submit

bp = Blueprint("receipts", __name__)


@bp.route("/projects/<int:project_id>/receipt-numbers", methods=["GET", "POST"])
@requires("fees.receipts")
def receipt_numbers(project_id: int):
    """Set where the project's receipt numbers continue (e.g. after the last paper receipt book)."""
    project = project_queries.get_project(request_user(), project_id)
    sequence = save(lambda: receipts.sequence_of(project.id))  # created with its defaults on first visit
    form = ReceiptSequenceForm(obj=sequence)
    if submit(form, lambda: receipts.configure_sequence(project.id, receipts.SequenceSettings(
            prefix=form.prefix.data or "", next_number=form.next_number.data, digits=form.digits.data)),
            success=lambda _sequence: _("Receipt numbering saved: the next receipt is %(no)s.",
                                        no=receipts.next_receipt_preview(project.id))):
        return redirect(url_for("receipts.receipt_numbers", project_id=project.id))
    return render_template("fees/receipt_numbers.html", project=project, form=form,
                           next_receipt=receipts.next_receipt_preview(project.id))
