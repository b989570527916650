"""`flask jobs sweep`: end jobs whose worker died and remove old result files (for cron)."""
import click
from flask.cli import AppGroup

from handover.jobs import service

jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("sweep")
def sweep():
    """Mark failed the jobs whose heartbeat stopped, and remove result files past their age."""
    report = service.sweep()
    click.echo(f"{len(report.stopped)} stopped job(s) marked failed, "
               f"{len(report.never_started)} never-started job(s) marked failed, "
               f"{report.files_removed} old result folder(s) removed")
