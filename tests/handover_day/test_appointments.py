"""Appointments: slots with a capacity, book/move/cancel by owners and staff, the reminder outbox."""
import threading

from handover.extensions import db
from handover.handovers import appointments
from handover.handovers.day_models import Reminder, Slot


def test_slot_created_and_listed_with_booked_counts(day, demo_cases, api):
    assert day["capacity"] == 2 and day["booked"] == 0 and day["starts_at"].startswith("2099-06-01T01:00:00")
    booked = api.put(f"/api/v1/units/{demo_cases.owing}/appointment", json={"slot_id": day["id"]})
    assert booked.status_code == 200, booked.get_json()
    assert booked.get_json()["unit_id"] == demo_cases.owing and booked.get_json()["slot_id"] == day["id"]
    [listed] = api.get(f"/api/v1/batches/{demo_cases.batch_id}/slots").get_json()
    assert listed["booked"] == 1


def test_a_bad_slot_is_refused_with_every_problem(demo_cases, api):
    api.token("sales")
    response = api.post(f"/api/v1/batches/{demo_cases.batch_id}/slots",
                        json={"starts_at": "2099-06-01T10:00:00+08:00", "ends_at": "2099-06-01T09:00:00+08:00",
                              "capacity": 0})
    assert response.status_code == 422


def test_a_full_slot_refuses_politely_and_moving_frees_the_place(day, demo_cases, world, api, app):
    api.token("sales")
    for unit_id in (demo_cases.owing, demo_cases.netting):
        assert api.put(f"/api/v1/units/{unit_id}/appointment", json={"slot_id": day["id"]}).status_code == 200
    full = api.put(f"/api/v1/units/{world.a2.id}/appointment", json={"slot_id": day["id"]})
    assert full.status_code == 409
    assert "full" in full.get_json()["message"] and full.get_json()["details"][0]["field"] == "slot_id"
    other = api.post(f"/api/v1/batches/{demo_cases.batch_id}/slots",
                     json={"starts_at": "2099-06-01T10:00:00+08:00", "ends_at": "2099-06-01T11:00:00+08:00",
                           "capacity": 5}).get_json()
    moved = api.put(f"/api/v1/units/{demo_cases.owing}/appointment", json={"slot_id": other["id"]})
    assert moved.status_code == 200
    assert api.put(f"/api/v1/units/{world.a2.id}/appointment", json={"slot_id": day["id"]}).status_code == 200
    assert api.delete(f"/api/v1/units/{world.a2.id}/appointment").status_code == 204
    slots = {s["id"]: s["booked"] for s in api.get(f"/api/v1/batches/{demo_cases.batch_id}/slots").get_json()}
    assert slots == {day["id"]: 1, other["id"]: 1}
    with app.app_context():
        history = [e.action for e in appointments.history(demo_cases.owing)]
        assert history == ["book", "move"]
        queued = db.session.scalars(db.select(Reminder).where(Reminder.status == "queued")).all()
        # one reminder per live booking, 10:00 local the day before; the cancelled and moved ones stay, cancelled
        assert sorted(r.unit_id for r in queued) == sorted([demo_cases.owing, demo_cases.netting])
        assert all(r.due_at.isoformat().startswith("2099-05-31T02:00:00") for r in queued)
        assert db.session.scalar(db.select(db.func.count()).select_from(Reminder)
                                 .where(Reminder.status == "cancelled")) == 2


def test_owner_books_own_unit_but_not_anothers(day, demo_cases, world, api):
    api.token(world.owner.username, "password123")
    assert api.get(f"/api/v1/batches/{demo_cases.batch_id}/slots").status_code == 200
    mine = api.put(f"/api/v1/units/{world.a1.id}/appointment", json={"slot_id": day["id"]})
    assert mine.status_code == 200, mine.get_json()
    assert api.put(f"/api/v1/units/{world.a2.id}/appointment", json={"slot_id": day["id"]}).status_code == 404
    assert api.get(f"/api/v1/batches/{world.b.batch_id}/slots").status_code == 404
    assert api.post(f"/api/v1/units/{world.a1.id}/visits", json={}).status_code == 403


def test_concurrent_bookings_take_exactly_the_capacity(app, make_unit, world, make_user):
    with app.app_context():
        from handover.accounts.models import User
        from handover.projects.models import Batch

        batch = db.session.get(Batch, world.a.batch_id)
        from datetime import datetime, timezone
        slot = appointments.create_slot(batch, starts_at=datetime(2099, 6, 2, 1, tzinfo=timezone.utc),
                                        ends_at=datetime(2099, 6, 2, 2, tzinfo=timezone.utc), capacity=3)
        db.session.commit()
        slot_id, sales_id = slot.id, world.users["sales"]
    units = [make_unit(world.a.batch_id, f"9{n:02d}", phone=f"139000000{n:02d}", owner_name=f"业主{n}").id
             for n in range(8)]
    results = []

    def book(unit_id):
        with app.test_request_context(method="POST"):
            from handover.core.errors import Conflict
            from handover.projects.models import Unit
            try:
                appointments.book(db.session.get(Unit, unit_id), slot_id, actor=db.session.get(User, sales_id))
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("full")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 3 and results.count("full") == 5
    with app.app_context():
        assert db.session.get(Slot, slot_id).booked == 3
