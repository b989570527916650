"""`flask users ...`: manage staff and contractor users from the shell."""
import click
from flask.cli import AppGroup

import sqlalchemy as sa

from handover.accounts import service
from handover.accounts.models import Role, User
from handover.audit.recorder import acting_as
from handover.core.errors import DomainError
from handover.extensions import db

users_cli = AppGroup("users", help="Manage staff and contractor users.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r != Role.OWNER]))
@click.option("--project", "project_ids", type=int, multiple=True, help="Project id (repeatable).")
@click.option("--contractor", "contractor_id", type=int, help="Contractor company id (role contractor).")
@click.option("--name", "display_name", default="", help="Display name.")
def create_user(username, password, role, project_ids, contractor_id, display_name):
    """Create a user with a role, scoped to projects."""
    info = service.NewUser(username=username, password=password, role=Role(role), display_name=display_name,
                           project_ids=list(project_ids), contractor_id=contractor_id)
    try:
        with acting_as(None, "cli"):
            user = service.create_user(info)
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.secho(f"Created user {user.username} ({user.role.value}), id {user.id}", fg="green")


@users_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(username, password):
    """Reset a user's password; every session and API token of theirs ends."""
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"No user {username}")
    try:
        with acting_as(None, "cli"):
            service.set_password(user, password)
            db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.secho(f"Password of {user.username} reset; their sessions and tokens have ended", fg="green")
