"""The key tag sheet as a file: made inside the request when it is a few pages, otherwise a
background job (3,000 keys are 125 pages: about 5 s of drawing, too long to hold a worker)."""
from pathlib import Path

from flask import current_app

from handover.accounts.models import User
from handover.jobs import service as jobs
from handover.jobs.models import Job
from handover.jobs.runner import JobContext
from handover.keys import document_rows, documents
from handover.extensions import db
from handover.projects.models import Batch

TAGS_KIND = "key_tags"
#: tags drawn inside the request at most (10 pages of 24); more become a job
DEFAULT_TAGS_SYNC_MAX = 240


def tag_file_name(batch_name: str) -> str:
    return f"钥匙标签-{batch_name}.pdf".replace("/", "-")


def export_tags(user: User, batch: Batch, building_id: int | None) -> bytes | Job:
    """The tag sheet's PDF, or a queued job when it has more than KEY_TAGS_SYNC_MAX tags."""
    sheet = document_rows.gather_tags(user, batch, building_id)
    if len(sheet.tags) > current_app.config.get("KEY_TAGS_SYNC_MAX", DEFAULT_TAGS_SYNC_MAX):
        return jobs.enqueue(TAGS_KIND, {"batch_id": batch.id, "building_id": building_id}, actor=user)
    return documents.render_tag_sheet(sheet)


def tags_job(ctx: JobContext) -> tuple[Path, str]:
    """Job: the tag sheet of the batch (or one building) as one PDF."""
    batch = db.session.get(Batch, ctx.params["batch_id"])
    sheet = document_rows.gather_tags(ctx.actor, batch, ctx.params.get("building_id"))
    name = tag_file_name(batch.name)
    db.session.commit()
    path = ctx.out_dir / "key-tags.pdf"
    path.write_bytes(documents.render_tag_sheet(sheet))
    ctx.progress(1, 1)
    return path, name
