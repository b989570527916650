"""Master data use cases shared by pages, API, CLI and the demo loader."""
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from handover.accounts.models import User
from handover.accounts.permissions import can
from handover.core.errors import Conflict, ValidationFailed
from handover.extensions import db
from handover.projects.models import Batch, Contractor, HandoverMode, Project


def create_project(name: str, *, actor: User, city: str = "", address: str = "", developer: str = "") -> Project:
    """A new development. Its creator (unless an administrator) is put on it, so they can see it."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name is required."), details=[{"field": "name", "message": _("Name is required.")}])
    if db.session.scalar(sa.select(Project.id).where(Project.name == name)):
        raise Conflict(_("A project named %(name)s already exists.", name=name))
    project = Project(name=name, city=city, address=address, developer=developer)
    db.session.add(project)
    if not can(actor, "projects.see_all"):
        actor.projects.append(project)
    db.session.flush()
    return project


def create_batch(project: Project, name: str, *, actor: User, mode: HandoverMode = HandoverMode.CENTRALIZED,
                 window_start: date | None = None, window_end: date | None = None) -> Batch:
    """A handover batch within a project; the window's end may not precede its start."""
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append({"field": "name", "message": _("Name is required.")})
    if window_start and window_end and window_end < window_start:
        problems.append({"field": "window_end", "message": _("The handover window ends before it starts.")})
    if problems:
        raise ValidationFailed(problems[0]["message"], details=problems)
    if db.session.scalar(sa.select(Batch.id).where(Batch.project_id == project.id, Batch.name == name)):
        raise Conflict(_("This project already has a batch named %(name)s.", name=name))
    batch = Batch(project=project, name=name, mode=mode, window_start=window_start, window_end=window_end)
    db.session.add(batch)
    db.session.flush()
    return batch


def create_contractor(name: str, *, actor: User, contact_name: str = "", phone: str = "") -> Contractor:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Name is required."), details=[{"field": "name", "message": _("Name is required.")}])
    if db.session.scalar(sa.select(Contractor.id).where(Contractor.name == name)):
        raise Conflict(_("A contractor named %(name)s already exists.", name=name))
    contractor = Contractor(name=name, contact_name=contact_name, phone=phone)
    db.session.add(contractor)
    db.session.flush()
    return contractor


#: the project fields printed on documents, edited on the project settings page
COMPANY_FIELDS = ("company_name", "company_address", "company_phone", "office_hours", "handover_venue",
                  "booking_instructions", "bank_name", "bank_account_name", "bank_account", "property_company",
                  "property_requirements", "seal_box")


def update_company_details(project: Project, *, actor: User, **values) -> Project:
    """Set the company details documents print (name, address, phone, hours, venue, bank account…)."""
    unknown = [name for name in values if name not in COMPANY_FIELDS]
    if unknown:
        raise ValidationFailed(_("Unknown settings."), details=[{"field": name, "message": _("Unknown settings.")}
                                                                for name in unknown])
    for name, value in values.items():
        setattr(project, name, bool(value) if name == "seal_box" else (value or "").strip())
    db.session.flush()
    return project
