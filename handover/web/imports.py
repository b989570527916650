"""The upload → preview → confirm → undo flow that unit and key imports share (pages only)."""
from collections.abc import Callable
from typing import Any

from handover.core.staging import stage_file
from handover.projects import import_runs
from handover.projects.forms import ImportConfirmForm
from handover.web.forms import dry_run, import_problems


def preview_upload(form, preview: Callable[[bytes], Any], *, purpose: str, user_id: int) -> dict:
    """On a valid upload, what the file would change (nothing is written; a refusal goes onto the
    form and each bad cell into `problems`), and the file staged for the confirm form."""
    found = {"problems": None, "preview": None, "confirm": None, "file_name": ""}
    if not form.validate_on_submit():
        return found
    content = form.file.data.read()
    found["file_name"] = form.file.data.filename or ""
    outcome = dry_run(lambda: preview(content), form=form)
    found["problems"], found["preview"] = import_problems(outcome.error), outcome.value
    if outcome.value is not None and outcome.value.has_changes:
        staged = stage_file(content, purpose=purpose, user_id=user_id, file_name=found["file_name"],
                            fingerprint=outcome.value.fingerprint())
        found["confirm"] = ImportConfirmForm(formdata=None, token=staged.token, sha256=staged.sha256)
    return found


def recent_imports(batch_id: int, kind: str) -> dict:
    """The batch's recent imports of this kind, with why each may not be undone (if so)."""
    runs = import_runs.recent_runs(batch_id, kind)
    return {"runs": runs, "refusals": {run.id: import_runs.undo_refusal(run) for run in runs}}
