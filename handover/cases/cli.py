"""`flask cases sweep`: mark breached cases, close resolved ones, send deferred messages (for cron)."""
import click
from flask.cli import AppGroup

from handover.cases import service
from handover.notifications import service as notifications

cases_cli = AppGroup("cases", help="Owner cases.")


@cases_cli.command("sweep")
def sweep():
    """Mark the cases past their committed time (escalated, managers told), close the cases resolved
    long ago without the owner's word, and send messages held back by quiet hours."""
    report = service.sweep()
    with notifications.in_own_transaction() as session:
        sent = notifications.send_deferred(session)
    click.echo(f"{len(report.breached)} case(s) breached, {len(report.closed)} closed automatically, "
               f"{sent} deferred message(s) sent")
