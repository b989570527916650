"""Defect use cases against the database (no HTTP)."""
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from handover.core.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from handover.defects import rules, service
from handover.defects.models import Defect, DefectEvent, DefectPhoto, DefectStatus
from handover.extensions import db
from handover.projects.models import Unit
from tests.defects.conftest import new_defect
from tests.fixtures.images import NOT_AN_IMAGE, TRUNCATED_JPEG, jpeg_with_gps, png


def T(action, **kwargs):  # noqa: N802 - reads like the data it builds
    return rules.TransitionInput(action=action, **kwargs)


def _defect(defect_id):
    return db.session.get(Defect, defect_id)


def test_record_starts_open_with_history(ctx, record, users):
    defect = _defect(record())
    assert defect.status == DefectStatus.OPEN and defect.batch_id and defect.building_id
    assert [e.action for e in defect.events] == ["create"]
    assert defect.events[0].actor_name == "engineering"


def test_same_client_id_returns_the_same_defect(ctx, world, users):
    client_id = str(uuid.uuid4())
    unit = db.session.get(Unit, world.a1.id)
    first, created = service.record_defect(unit, new_defect(id=client_id), actor=users.get("engineering"))
    db.session.commit()
    again, created_again = service.record_defect(unit, new_defect(id=client_id, description="changed"),
                                                 actor=users.get("engineering"))
    assert (created, created_again) == (True, False)
    assert again.id == first.id == client_id and again.description == "窗扇开启不畅"
    other_unit = db.session.get(Unit, world.a2.id)
    with pytest.raises(Conflict):
        service.record_defect(other_unit, new_defect(id=client_id), actor=users.get("engineering"))


def test_concurrent_resends_make_exactly_one_defect(app, world):
    client_id = str(uuid.uuid4())
    results, errors, barrier = [], [], threading.Barrier(4, timeout=10)

    def send():
        try:
            with app.app_context():
                from handover.accounts.models import User

                actor = db.session.get(User, world.users["engineering"])
                db.session.commit()  # hold no transaction (nor SQLite's write lock) at the barrier
                barrier.wait(10)
                defect, created = service.record_defect(db.session.get(Unit, world.a1.id),
                                                        new_defect(id=client_id), actor=actor)
                db.session.commit()
                results.append((defect.id, created))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(created for _id, created in results) == [False, False, False, True]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Defect)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DefectEvent)) == 1


def test_missing_fields_are_refused(ctx, world, users):
    with pytest.raises(ValidationFailed) as caught:
        service.record_defect(db.session.get(Unit, world.a1.id), new_defect(room=" ", description=""),
                              actor=users.get("engineering"))
    assert {d["field"] for d in caught.value.details} == {"room", "description"}


def test_full_life_cycle_with_rework(ctx, record, users, world, due):
    defect = _defect(record())
    service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due),
                       actor=users.get("engineering"))
    contractor = users.get("contractor")
    with pytest.raises(ValidationFailed):  # no after photo yet
        service.transition(defect, T("fix"), actor=contractor)
    service.add_photo(defect, jpeg_with_gps(), actor=contractor)
    service.transition(defect, T("fix", note="已重新调整"), actor=contractor)
    service.transition(defect, T("reject", note="仍然卡顿"), actor=users.get("engineering"))
    assert defect.status == DefectStatus.ASSIGNED and defect.rework_count == 1
    with pytest.raises(ValidationFailed):  # the old after photo does not count for the rework
        service.transition(defect, T("fix"), actor=contractor)
    service.add_photo(defect, png(), actor=contractor)
    service.transition(defect, T("fix"), actor=contractor)
    service.transition(defect, T("verify"), actor=users.get("property"))
    db.session.commit()
    assert defect.status == DefectStatus.VERIFIED and defect.closed_at is not None
    history = [(e.action, e.from_status and e.from_status.value, e.to_status.value, e.actor_name)
               for e in defect.events]
    assert history == [("create", None, "open", "engineering"), ("assign", "open", "assigned", "engineering"),
                       ("fix", "assigned", "fixed", "contractor"), ("reject", "fixed", "assigned", "engineering"),
                       ("fix", "assigned", "fixed", "contractor"), ("verify", "fixed", "verified", "property")]


def test_illegal_transition_is_refused_and_changes_nothing(ctx, record, users):
    defect = _defect(record())
    with pytest.raises(TransitionNotAllowed):
        service.transition(defect, T("verify"), actor=users.get("engineering"))
    assert defect.status == DefectStatus.OPEN and len(defect.events) == 1


def test_unfixable_records_statement_and_plan(ctx, record, users):
    defect = _defect(record())
    with pytest.raises(ValidationFailed):
        service.transition(defect, T("unfixable", statement="设计如此"), actor=users.get("engineering"))
    service.transition(defect, T("unfixable", statement="该处为结构梁，无法移位", compensation_plan="赠送物业费 6 个月"),
                       actor=users.get("engineering"))
    assert defect.status == DefectStatus.UNFIXABLE and defect.compensation_plan == "赠送物业费 6 个月"


def test_stale_version_is_a_conflict(ctx, record, users, world, due):
    defect = _defect(record())
    assert defect.version == 1
    service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due),
                       actor=users.get("engineering"), version=1)
    db.session.commit()
    assert defect.version == 2
    with pytest.raises(Conflict):
        service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due),
                           actor=users.get("engineering"), version=1)


def test_contractors_only_fix_their_own_company_defects(ctx, record, users, world, due, make_user):
    from handover.projects.models import Contractor

    other = Contractor(name="别家公司")
    db.session.add(other)
    db.session.commit()
    defect = _defect(record())
    service.transition(defect, T("assign", contractor_id=other.id, due_date=due), actor=users.get("engineering"))
    with pytest.raises(NotPermitted):
        service.transition(defect, T("fix"), actor=users.get("contractor"))
    with pytest.raises(NotPermitted):
        service.transition(defect, T("verify"), actor=users.get("contractor"))


def test_photo_is_reencoded_without_exif_and_has_a_thumbnail(ctx, record, users, app):
    defect = _defect(record())
    photo = service.add_photo(defect, jpeg_with_gps(), actor=users.get("engineering"))
    db.session.commit()
    root = Path(app.config["UPLOAD_FOLDER"])
    with Image.open(root / photo.path) as image:
        assert image.format == "JPEG" and not image.getexif()
        assert (image.width, image.height) == (1200, 900)
    with Image.open(root / photo.thumb_path) as thumb:
        assert max(thumb.size) <= 320


@pytest.mark.parametrize("content", [NOT_AN_IMAGE, TRUNCATED_JPEG, b""])
def test_bad_upload_leaves_no_record_and_no_file(app, record, world, content):
    defect_id = record()
    root = Path(app.config["UPLOAD_FOLDER"])
    before = set(root.rglob("*"))
    with app.app_context():
        from handover.accounts.models import User

        with pytest.raises(ValidationFailed):
            service.add_photo(db.session.get(Defect, defect_id), content,
                              actor=db.session.get(User, world.users["engineering"]))
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DefectPhoto)) == 0
    assert set(root.rglob("*")) == before


def test_files_of_a_rolled_back_request_are_removed(app, record, world):
    defect_id = record()
    root = Path(app.config["UPLOAD_FOLDER"])
    with app.app_context():
        from handover.accounts.models import User

        photo = service.add_photo(db.session.get(Defect, defect_id), png(),
                                  actor=db.session.get(User, world.users["engineering"]))
        written = root / photo.path
        assert written.exists()
        db.session.rollback()
    assert not written.exists()


def test_owner_confirms_or_disputes_only_after_handover(ctx, record, users, world, due):
    defect = _defect(record())
    engineering, contractor, owner = users.get("engineering"), users.get("contractor"), users.get("owner")
    service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due), actor=engineering)
    service.add_photo(defect, png(), actor=contractor)
    service.transition(defect, T("fix"), actor=contractor)
    service.transition(defect, T("verify"), actor=engineering)
    with pytest.raises(NotPermitted):
        service.confirm_fix(defect, actor=owner)
    defect.unit.handed_over_on = date(2026, 12, 20)
    with pytest.raises(ValidationFailed):  # a dispute must say what is wrong
        service.transition(defect, T("dispute"), actor=owner)
    service.transition(defect, T("dispute", note="窗户还是关不严"), actor=owner)
    assert defect.status == DefectStatus.FIXED  # back for re-inspection
    assert defect.events[-1].internal is False
    service.transition(defect, T("verify"), actor=engineering)
    service.confirm_fix(defect, actor=owner)
    assert defect.owner_confirmed_at is not None and defect.status == DefectStatus.VERIFIED


def test_bulk_assign_assigns_only_open_defects(ctx, record, users, world, due):
    ids = [record(category="门窗"), record(category="门窗"), record(category="地面")]
    done = _defect(record(category="门窗"))
    service.transition(done, T("unfixable", statement="s", compensation_plan="p"), actor=users.get("engineering"))
    windows = list(db.session.scalars(sa.select(Defect).where(Defect.category == "门窗")))
    count = service.bulk_assign(windows, contractor_id=world.contractor_id, due_date=due,
                                actor=users.get("engineering"))
    assert count == 2
    assert [_defect(i).status for i in ids] == [DefectStatus.ASSIGNED, DefectStatus.ASSIGNED, DefectStatus.OPEN]


def test_a_resent_transition_acts_once_and_returns_the_defect(ctx, record, users, world, due):
    defect_id, other_id = record(), record()  # recorded first: a test's open transaction would lock SQLite
    defect = _defect(defect_id)
    engineering = users.get("engineering")
    assign = T("assign", contractor_id=world.contractor_id, due_date=due)
    service.transition(defect, assign, actor=engineering, version=1, idempotency_key="tablet-7:assign-1")
    db.session.commit()
    again = service.transition(defect, assign, actor=engineering, version=1, idempotency_key="tablet-7:assign-1")
    db.session.commit()
    assert again.id == defect.id and again.version == 2  # the stale version of the resend is not a conflict
    assert [e.action for e in defect.events] == ["create", "assign"]
    other = _defect(other_id)
    with pytest.raises(Conflict):  # the key belongs to the first act
        service.transition(other, assign, actor=engineering, idempotency_key="tablet-7:assign-1")


def test_a_resent_confirmation_is_recorded_once(ctx, record, users, world, due):
    defect = _defect(record())
    engineering, contractor, owner = users.get("engineering"), users.get("contractor"), users.get("owner")
    service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due), actor=engineering)
    service.add_photo(defect, png(), actor=contractor)
    service.transition(defect, T("fix"), actor=contractor)
    service.transition(defect, T("verify"), actor=engineering)
    defect.unit.handed_over_on = date(2026, 12, 20)
    for _attempt in range(2):
        service.confirm_fix(defect, actor=owner, idempotency_key="portal:confirm")
        db.session.commit()
    assert [e.action for e in defect.events].count("confirm") == 1


def test_a_transition_synced_later_keeps_when_it_happened(ctx, record, users, world, due):
    from datetime import timedelta

    from handover.core.timeutil import now_utc

    defect = _defect(record())
    engineering = users.get("engineering")
    service.transition(defect, T("unfixable", statement="结构梁", compensation_plan="补偿"), actor=engineering,
                       at=now_utc() - timedelta(hours=3))
    db.session.commit()
    event = defect.events[-1]
    assert defect.closed_at == event.at and event.recorded_at - event.at >= timedelta(hours=3) - timedelta(seconds=5)


def test_concurrent_resends_of_a_transition_act_once(app, record, world, due):
    defect_id = record()
    results, errors, barrier = [], [], threading.Barrier(3, timeout=10)

    def send():
        try:
            with app.test_request_context(method="POST"):
                from handover.accounts.models import User
                from handover.defects import queries

                actor = db.session.get(User, world.users["engineering"])
                db.session.commit()
                barrier.wait(10)
                defect = queries.get_defect(actor, defect_id, for_update=True)
                service.transition(defect, T("assign", contractor_id=world.contractor_id, due_date=due), actor=actor,
                                   version=1, idempotency_key="resend-me")
                db.session.commit()
                results.append(defect.status)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == [] and results == [DefectStatus.ASSIGNED] * 3
    with app.app_context():
        actions = db.session.scalars(sa.select(DefectEvent.action).where(DefectEvent.defect_id == defect_id))
        assert sorted(actions) == ["assign", "create"]
