"""Handover-day pages: the owner books in the portal, the desk checks in by phone and by QR, the
station calls and marks done, the console counts."""
import re


def test_owner_books_in_the_portal_and_sees_it(day, demo_cases, world, browser, client):
    browser.login(world.owner.username)
    page = client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    assert "Book a time" in page
    booked = browser.post(f"/my/units/{world.a1.id}/appointment", {"slot_id": day["id"]}, follow_redirects=True)
    assert booked.status_code == 200 and "Appointment booked." in booked.get_data(as_text=True)
    portal = client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    assert "2099-06-01 09:00" in portal
    assert client.get(f"/my/units/{world.a2.id}/appointment").status_code == 404


def test_a_full_slot_refuses_politely_on_the_page(demo_cases, world, browser, client, api):
    api.token("sales")
    slot = api.post(f"/api/v1/batches/{demo_cases.batch_id}/slots",
                    json={"starts_at": "2099-06-01T09:00:00+08:00", "ends_at": "2099-06-01T10:00:00+08:00",
                          "capacity": 1}).get_json()
    assert api.put(f"/api/v1/units/{world.a2.id}/appointment", json={"slot_id": slot["id"]}).status_code == 200
    browser.login(world.owner.username)
    response = browser.post(f"/my/units/{world.a1.id}/appointment", {"slot_id": slot["id"]})
    assert response.status_code == 200
    assert "Sorry, the slot at 2099-06-01 09:00 is full" in response.get_data(as_text=True)


def test_desk_finds_by_phone_and_qr_and_checks_in(day, demo_cases, world, browser, client):
    browser.login("sales")
    desk = f"/batches/{demo_cases.batch_id}/handover-day/desk"
    by_phone = client.get(desk + "?q=13800000001").get_data(as_text=True)
    assert f'data-unit="{world.a1.id}"' in by_phone
    by_qr = client.get(desk + f"?q=HO-UNIT-{world.a1.id}").get_data(as_text=True)
    assert 'data-found="1"' in by_qr
    wrong = browser.post(f"{desk}/{world.a1.id}", {"identity": "owner", "id_last4": "1234"}, page=desk + "?q=1",
                         follow_redirects=True)
    assert "do not match" in wrong.get_data(as_text=True)
    done = browser.post(f"{desk}/{world.a1.id}", {"identity": "owner", "id_last4": "4514"}, page=desk + "?q=1",
                        follow_redirects=True)
    assert "queue number 1" in done.get_data(as_text=True)


def test_station_calls_next_and_marks_done_and_console_counts(day, demo_cases, world, browser, client, api):
    api.token("sales")
    api.post(f"/api/v1/units/{world.a1.id}/visits", json={})
    browser.login("property")
    station = f"/batches/{demo_cases.batch_id}/handover-day/stations/documents"
    page = client.get(station).get_data(as_text=True)
    assert 'data-queue="1"' in page
    called = browser.post(station + "/call", {}, page=station, follow_redirects=True)
    assert "Calling number 1" in called.get_data(as_text=True)
    visit_id = re.search(r'data-visit="(\d+)"', client.get(station).get_data(as_text=True)).group(1)
    done = browser.post(f"/visits/{visit_id}/steps/documents/done", {}, page=station, follow_redirects=True)
    assert 'data-queue="0"' in done.get_data(as_text=True)
    console = client.get(f"/batches/{demo_cases.batch_id}/handover-day").get_data(as_text=True)
    assert 'data-figure="checked_in">1<' in console
    assert re.search(r'data-station="fees"><td>[^<]*</td><td class="num">1<', console)
