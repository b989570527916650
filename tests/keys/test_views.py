"""Key pages: the ledger, opening a key by its code, lending and returning, the fee gate at the desk,
signatures, the pre-handover check, bulk creation and import, and who may see what."""
import re
from datetime import timedelta

from handover.core.timeutil import freeze, now_utc
from tests.conftest import csrf_token
from tests.fixtures.keys import pdf_text, settle, signature_png
from tests.fixtures.sheets import sheet_bytes


def post_event(browser, key_id, type_, **data):
    return browser.post(f"/keys/{key_id}/events", {"type": type_, **data}, page=f"/keys/{key_id}")


def test_ledger_shows_keys_by_unit_and_the_overdue_loans(world, keys, browser):
    lent = keys.received(world.a1.id)
    kept = keys.received(world.a2.id)
    keys.event(lent.id, "lent", counterparty="保洁 李阿姨", note="开荒保洁")
    browser.login("property")
    today = browser.client.get(f"/keys?batch_id={world.a.batch_id}").get_data(as_text=True)
    assert lent.code in today and kept.code in today
    assert "overdue-banner" not in today and "row-overdue" not in today
    assert "保洁 李阿姨" in today  # in the "out on loan now" list

    keys.event(lent.id, "returned")
    with freeze(now_utc() - timedelta(days=1)):  # lent yesterday and never brought back
        keys.event(lent.id, "lent", counterparty="装修队 钱师傅")
    html = browser.client.get(f"/keys?batch_id={world.a.batch_id}").get_data(as_text=True)
    assert "overdue-banner" in html and "is-overdue" in html
    overdue_only = browser.client.get(f"/keys?batch_id={world.a.batch_id}&overdue=1").get_data(as_text=True)
    rows = re.findall(r'<tr class="row-link ([^"]*)"', overdue_only)
    assert rows == ["row-overdue"]
    assert lent.code in overdue_only and kept.code not in overdue_only


def test_ledger_filters_by_status_and_search(world, keys, browser):
    keys.received(world.a1.id)
    waiting = keys.create(world.a2.id)
    browser.login("property")
    html = browser.client.get(f"/keys?batch_id={world.a.batch_id}&status=with_contractor").get_data(as_text=True)
    assert len(re.findall(r'<tr class="row-link', html)) == 1 and waiting.code in html
    html = browser.client.get(f"/keys?batch_id={world.a.batch_id}&q={waiting.code.lower()}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="row-link', html)) == 1


def test_open_a_key_by_its_typed_code(world, keys, browser):
    key = keys.received(world.a1.id)
    browser.login("property")
    response = browser.client.get(f"/keys/find?code=%20{key.code.lower()}%20")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/keys/{key.id}")
    without_prefix = browser.client.get(f"/keys/find?code={key.code[1:]}")
    assert without_prefix.headers["Location"].endswith(f"/keys/{key.id}")
    unknown = browser.client.get("/keys/find?code=KNOPE")
    assert unknown.status_code == 404 and "KNOPE" in unknown.get_data(as_text=True)
    page = browser.client.get("/keys/find").get_data(as_text=True)
    assert 'name="code"' in page and "data-scan-start" in page and "vendor/jsqr/jsQR.js" in page


def test_lend_and_return_on_the_key_page(world, keys, browser):
    key = keys.received(world.a1.id)
    browser.login("property")
    page = browser.client.get(f"/keys/{key.id}").get_data(as_text=True)
    assert all(f'href="#do-{event}"' in page for event in ("checked", "lent", "handed_to_owner", "lost"))
    assert 'href="#do-returned"' not in page

    response = post_event(browser, key.id, "lent", to="维修 王师傅", note="卫生间渗水")
    assert response.status_code == 302
    assert keys.state(key.id).status == "on_loan" and keys.state(key.id).holder == "维修 王师傅"
    page = browser.client.get(f"/keys/{key.id}").get_data(as_text=True)
    assert 'href="#do-returned"' in page and 'href="#do-lent"' not in page
    assert "卫生间渗水" in page and "维修 王师傅" in page  # the chain of custody

    twice = post_event(browser, key.id, "lent", to="保洁 李阿姨")
    assert twice.status_code == 409 and "flash-error" in twice.get_data(as_text=True)
    assert keys.state(key.id).holder == "维修 王师傅"

    back = post_event(browser, key.id, "returned", next="/\\evil.example/")
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/keys/{key.id}")
    assert keys.state(key.id).status == "in_office"
    assert keys.state(key.id).events == 3


def test_lending_needs_a_borrower(world, keys, browser):
    key = keys.received(world.a1.id)
    browser.login("property")
    response = post_event(browser, key.id, "lent", to="  ")
    assert response.status_code == 422
    assert 'class="event-panel is-open" id="do-lent"' in response.get_data(as_text=True)
    assert keys.state(key.id).status == "in_office"


def test_handing_to_the_owner_needs_the_signature(world, keys, settled_unit, browser):
    key = keys.received(settled_unit.id)
    browser.login("property")
    unsigned = post_event(browser, key.id, "handed_to_owner", to="赵敏")
    assert unsigned.status_code == 422
    assert keys.state(key.id).status == "in_office"
    forged = post_event(browser, key.id, "handed_to_owner", to="赵敏", signature="data:image/png;base64,aGVsbG8=")
    assert forged.status_code == 422

    signed = post_event(browser, key.id, "handed_to_owner", to="赵敏", signature=signature_png())
    assert signed.status_code == 302 and keys.state(key.id).status == "with_owner"
    page = browser.client.get(f"/keys/{key.id}").get_data(as_text=True)
    src = re.search(r'<img class="sig-thumb" src="([^"]+)"', page).group(1)
    image = browser.client.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


def test_desk_shows_the_fee_gate_and_it_blocks_the_handover(world, keys, make_unit, browser):
    unit = make_unit(world.a.batch_id, "602", measured="101.20", phone="13800000602", owner_name="钱进")
    key = keys.received(unit.id)
    browser.login("property")
    page = browser.client.get(f"/keys/desk/{unit.id}").get_data(as_text=True)
    assert 'data-gate="blocked"' in page
    assert re.search(r'<button class="btn btn-big btn-primary btn-block" type="submit" disabled>', page)
    assert "data-signature-pad" not in page.split('id="hand-over"')[1]  # no point signing before finance
    desk = f"/keys/desk/{unit.id}"
    refused = browser.post(f"{desk}/handed_to_owner", {"key_ids": [key.id], "to": "钱进", "signature": signature_png()},
                           page=desk)
    assert refused.status_code == 409
    assert "data-error-summary" in refused.get_data(as_text=True)  # the refusal on top of the form
    assert keys.state(key.id).status == "in_office"
    key_page = browser.client.get(f"/keys/{key.id}").get_data(as_text=True)
    assert "gate-note" in key_page


def test_desk_hands_all_keys_with_one_signature(world, keys, settled_unit, browser):
    door = keys.received(settled_unit.id)
    mailbox = keys.received(settled_unit.id, label="1-1-601 邮箱", copies=2)
    browser.login("property")
    page = browser.client.get(f"/keys/desk/{settled_unit.id}").get_data(as_text=True)
    assert 'data-gate="ok"' in page and page.count('name="key_ids"') == 2 and "data-signature-pad" in page
    no_signature = browser.post(f"/keys/desk/{settled_unit.id}/handed_to_owner",
                                {"key_ids": [door.id, mailbox.id], "to": "赵敏"}, page=f"/keys/desk/{settled_unit.id}")
    assert no_signature.status_code == 422 and keys.state(door.id).status == "in_office"

    done = browser.post(f"/keys/desk/{settled_unit.id}/handed_to_owner",
                        {"key_ids": [door.id, mailbox.id], "to": "赵敏", "signature": signature_png()},
                        page=f"/keys/desk/{settled_unit.id}")
    assert done.status_code == 302
    assert {keys.state(door.id).status, keys.state(mailbox.id).status} == {"with_owner"}
    page = browser.client.get(done.headers["Location"]).get_data(as_text=True)
    assert f"/units/{settled_unit.id}/keys/handover-record.pdf" in page and "desk-done" in page
    record = browser.client.get(f"/units/{settled_unit.id}/keys/handover-record.pdf")
    assert record.mimetype == "application/pdf" and door.code in pdf_text(record.data)


def test_desk_entrustment_and_return(world, keys, settled_unit, browser):
    key = keys.received(settled_unit.id)
    keys.event(key.id, "handed_to_owner", counterparty="赵敏", signature=signature_png())
    browser.login("property")
    desk = f"/keys/desk/{settled_unit.id}"
    entrusted = browser.post(f"{desk}/entrusted", {"key_ids": [key.id], "to": "赵敏", "note": "屋内有沙发一套",
                                                    "signature": signature_png()}, page=desk)
    assert entrusted.status_code == 302 and keys.state(key.id).status == "entrusted"
    page = browser.client.get(desk).get_data(as_text=True)
    letter_url = re.search(r'href="(/key-events/\d+/entrustment\.pdf)"', page).group(1)
    assert "屋内有沙发一套" in pdf_text(browser.client.get(letter_url).data)
    assert 'id="return"' in page
    back = browser.post(f"{desk}/returned_to_owner", {"key_ids": [key.id], "to": "赵敏", "signature": signature_png()},
                        page=desk)
    assert back.status_code == 302 and keys.state(key.id).status == "with_owner"


def test_desk_finds_a_unit_by_room_owner_or_full_number(world, keys, browser):
    browser.login("property")
    by_room = browser.client.get(f"/keys/desk?batch_id={world.a.batch_id}&q=102")
    assert by_room.headers["Location"].endswith(f"/keys/desk/{world.a2.id}")
    by_owner = browser.client.get(f"/keys/desk?batch_id={world.a.batch_id}&q=李娜")
    assert by_owner.headers["Location"].endswith(f"/keys/desk/{world.a2.id}")
    by_number = browser.client.get(f"/keys/desk?batch_id={world.a.batch_id}&q=1-1-101")
    assert by_number.headers["Location"].endswith(f"/keys/desk/{world.a1.id}")
    several = browser.client.get(f"/keys/desk?batch_id={world.a.batch_id}&q=10")
    assert several.status_code == 200 and several.get_data(as_text=True).count('class="tile"') == 2
    other_project = browser.client.get(f"/keys/desk?batch_id={world.a.batch_id}&q=王芳").get_data(as_text=True)
    assert 'class="tile"' not in other_project


def test_pre_handover_check_receives_then_tries_each_key(world, keys, browser):
    first, second = keys.create(world.a1.id), keys.create(world.a2.id)
    browser.login("property")
    check = f"/keys/check?batch_id={world.a.batch_id}"
    page = browser.client.get(check).get_data(as_text=True)
    assert "receive-card" in page and 'value="ok"' not in page  # nothing to try until received
    received = browser.post(f"/batches/{world.a.batch_id}/keys/receive", {"to": "总包 孙工"}, page=check)
    assert received.status_code == 302
    assert keys.state(first.id).status == keys.state(second.id).status == "in_office"

    token = csrf_token(browser.client.get(check).get_data(as_text=True))
    answer = browser.client.post(f"/keys/{first.id}/events", data={"type": "checked", "result": "fails",
                                                                  "csrf_token": token},
                                 headers={"X-Requested-With": "fetch"})
    assert answer.status_code == 200 and answer.get_json()["result"] == "fails"
    without_result = browser.client.post(f"/keys/{second.id}/events", data={"type": "checked", "csrf_token": token},
                                         headers={"X-Requested-With": "fetch"})
    assert without_result.status_code == 422 and without_result.get_json()["message"]
    ok = browser.post(f"/keys/{second.id}/events", {"type": "checked", "result": "ok", "next": check}, page=check)
    assert ok.status_code == 302 and ok.headers["Location"].endswith(check)

    todo = browser.client.get(check + "&todo=1").get_data(as_text=True)
    assert f'id="u{world.a1.id}"' in todo and f'id="u{world.a2.id}"' not in todo
    assert 'data-result="fails"' in todo


def test_bulk_creation_and_import_pages(world, browser):
    browser.login("property")
    new = f"/batches/{world.a.batch_id}/keys/new"
    created = browser.post(new, {"kind": "entrance_door", "sets_per_unit": "1", "copies": "3"})
    assert created.status_code == 302
    ledger = browser.client.get(f"/keys?batch_id={world.a.batch_id}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="row-link', ledger)) == 2

    url = f"/batches/{world.a.batch_id}/keys/import"
    bad = sheet_bytes([{"楼栋": "1", "单元": "1", "房号": "101", "钥匙类型": "后门"}],
                      headers=["楼栋", "单元", "房号", "钥匙类型", "标签", "套数", "柜位"])
    html = browser.client.get(url).get_data(as_text=True)
    response = browser.client.post(url, data={"csrf_token": csrf_token(html), "file": (_file(bad), "keys.xlsx")},
                                   content_type="multipart/form-data")
    assert response.status_code == 200
    assert re.search(r"<td>2</td><td>钥匙类型 \(D\)</td>", response.get_data(as_text=True))

    good = sheet_bytes([{"楼栋": "1", "单元": "1", "房号": "101", "钥匙类型": "邮箱", "套数": 2, "柜位": "M-01"}],
                       headers=["楼栋", "单元", "房号", "钥匙类型", "标签", "套数", "柜位"])
    response = browser.client.post(url, data={"csrf_token": csrf_token(html), "file": (_file(good), "keys.xlsx")},
                                   content_type="multipart/form-data")
    preview = response.get_data(as_text=True)
    assert response.status_code == 200 and "1-1-101 邮箱" in preview
    assert len(re.findall(r'<tr class="row-link', browser.client.get(f"/keys?batch_id={world.a.batch_id}")
                          .get_data(as_text=True))) == 2, "the preview registers nothing"
    fields = {name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', preview).group(1)
              for name in ("token", "sha256")}
    confirmed = browser.post(url + "/confirm", fields)
    assert confirmed.status_code == 302
    ledger = browser.client.get(f"/keys?batch_id={world.a.batch_id}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="row-link', ledger)) == 3
    undo_page = browser.client.get(url).get_data(as_text=True)
    run_id = re.search(r'/key-imports/(\d+)/undo', undo_page).group(1)
    assert browser.post(f"/key-imports/{run_id}/undo", {}).status_code == 302
    ledger = browser.client.get(f"/keys?batch_id={world.a.batch_id}").get_data(as_text=True)
    assert len(re.findall(r'<tr class="row-link', ledger)) == 2
    template = browser.client.get("/keys/import-template.xlsx")
    assert template.status_code == 200 and template.data[:2] == b"PK"


def _file(content: bytes):
    import io

    return io.BytesIO(content)


def test_who_may_see_and_do_what(world, keys, browser):
    mine = keys.received(world.a1.id)
    theirs = keys.received(world.a2.id)
    other_project = keys.received(world.b1.id)
    handed = keys.event(mine.id, "lost")  # any event id of the owner's own unit

    browser.login("sales")  # staff may look, not move keys
    assert browser.client.get(f"/keys/{mine.id}").status_code == 200
    assert 'href="#do-lent"' not in browser.client.get(f"/keys/{mine.id}").get_data(as_text=True)
    token = csrf_token(browser.client.get(f"/keys/{mine.id}").get_data(as_text=True))
    assert browser.client.post(f"/keys/{theirs.id}/events", data={"type": "lent", "to": "x",
                                                                  "csrf_token": token}).status_code == 403
    assert browser.client.get("/keys/desk").status_code == 403
    assert browser.client.get(f"/keys/{other_project.id}").status_code == 404
    browser.logout()

    browser.login("sales_b")
    assert browser.client.get(f"/keys/{mine.id}").status_code == 404
    assert browser.client.get(f"/keys/find?code={mine.code}").status_code == 404
    browser.logout()

    browser.login(world.owner.username)
    for url in ("/keys", f"/keys/{mine.id}", "/keys/desk", f"/batches/{world.a.batch_id}/keys.xlsx"):
        assert browser.client.get(url).status_code == 403, url
    assert browser.client.get(f"/units/{world.a1.id}/keys/handover-record.pdf").status_code == 200
    assert browser.client.get(f"/units/{world.a2.id}/keys/handover-record.pdf").status_code == 404
    assert browser.client.get(f"/key-events/{handed}/signature.png").status_code == 404  # unsigned
    browser.logout()

    browser.login("contractor")
    assert browser.client.get("/keys").status_code == 403


def test_homeowner_sees_their_keys_and_entrustments_only(app, world, keys, browser):
    settle(app, world.a1.id, "K-101")
    key = keys.received(world.a1.id)
    keys.event(key.id, "handed_to_owner", counterparty="张伟", signature=signature_png())
    entrusted = keys.event(key.id, "entrusted", counterparty="张伟", note="客厅有冰箱", signature=signature_png())
    keys.event(key.id, "lent", counterparty="宏元建设 王师傅", note="维修地漏")
    neighbour = keys.received(world.a2.id)
    neighbour_event = keys.event(neighbour.id, "lent", counterparty="李娜的装修队")

    browser.login(world.owner.username)
    page = browser.client.get(f"/my/units/{world.a1.id}").get_data(as_text=True)
    assert 'id="keys"' in page and 'id="entrustments"' in page
    assert "客厅有冰箱" in page and "宏元建设 王师傅" in page and "维修地漏" in page
    assert f"/key-events/{entrusted}/entrustment.pdf" in page
    assert "李娜的装修队" not in page and neighbour.code not in page
    letter = browser.client.get(f"/key-events/{entrusted}/entrustment.pdf")
    assert letter.status_code == 200 and "客厅有冰箱" in pdf_text(letter.data)
    assert browser.client.get(f"/key-events/{entrusted}/signature.png").status_code == 200
    assert browser.client.get(f"/key-events/{neighbour_event}/entrustment.pdf").status_code == 404
    assert browser.client.get(f"/my/units/{world.a2.id}").status_code == 404
