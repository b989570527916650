"""Chinese is the default language everywhere (pages, flashes, API errors); English is one click away.

The compiled catalogue (.mo) is a build product: `make translations` makes it from the committed .po.
"""
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import csrf_token

CATALOGUE = Path(__file__).resolve().parents[2] / "handover" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _read_catalogue():
    with open(CATALOGUE / "messages.po", "rb") as po:
        return read_po(po)


def _texts(value):
    """A message's id or string as a tuple: plural entries (ngettext) have one per form."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _key(message):
    """Context and id: pgettext("part of a unit", "Room") and _("Room") are two messages."""
    context = message.context.decode() if isinstance(message.context, bytes) else message.context
    return context, _texts(message.id)


def test_chinese_catalogue_is_complete_and_compiled():
    catalogue = _read_catalogue()
    messages = [m for m in catalogue if m.id]
    assert messages
    untranslated = [m.id for m in messages if not all(_texts(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    broken = [m.id for m in messages
              if any(sorted(PLACEHOLDER.findall(i)) != sorted(PLACEHOLDER.findall(s))
                     for i in _texts(m.id) for s in _texts(m.string))]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    assert not broken, f"placeholders differ: {broken}"
    mo = CATALOGUE / "messages.mo"
    assert mo.exists(), "no compiled catalogue: run `make translations`"
    with open(mo, "rb") as compiled:
        built = {_key(m): _texts(m.string) for m in read_mo(compiled) if m.id}
    assert built == {_key(m): _texts(m.string) for m in messages}, "the .mo is stale: run `make translations`"


def test_sign_in_page_is_chinese_by_default(app, client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "<h1>登录</h1>" in html
    assert "用户名或手机号码" in html and "密码" in html
    assert "Sign in" not in html


def test_language_switch_to_english_and_back(app, client):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert response.status_code in (302, 303)

    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Sign in</h1>" in html
    assert "Username or mobile number" in html
    assert "登录" not in html

    client.post("/language", data={"lang": "zh_Hans_CN", "csrf_token": csrf_token(html)})
    assert "<h1>登录</h1>" in client.get("/login").get_data(as_text=True)


def test_staff_pages_show_chinese_labels(world, browser, client):
    browser.login("sales")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "<h1>交付批次</h1>" in html
    assert "退出登录" in html
    assert "营销" in html  # the role label next to the user's name
    assert "集中交付" in html  # the batch's handover mode
    assert "2 户" in html  # "%(n)d units" keeps its number
    assert "Sign out" not in html and "Handover batches" not in html

    units = client.get(f"/batches/{world.a.batch_id}/units").get_data(as_text=True)
    assert "1号楼" in units  # building name + "#" in the building filter
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", units)
    assert headers[:4] == ["楼栋", "单元", "楼层", "房号"]
    assert {"户型", "合同面积", "实测面积", "业主", "联系电话"} <= set(headers)

    unit = client.get(f"/units/{world.a1.id}").get_data(as_text=True)
    assert "1号楼1单元101室" in unit
    assert "合同单价" in unit and "毛坯" in unit


def test_flash_messages_are_chinese(world, browser, client):
    html = browser.login("nobody", "wrong-password", follow=True).get_data(as_text=True)
    assert "用户名或密码错误。" in html


def test_api_errors_are_chinese_by_default(app, client):
    response = client.get("/api/v1/units")
    assert response.status_code == 401
    body = response.get_json()
    assert body["error"] == "unauthorized"
    assert body["message"] == "请先登录：需要有效的令牌或登录会话。"


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9"])
def test_api_clients_may_ask_for_english(app, client, header):
    body = client.get("/api/v1/units", headers={"Accept-Language": header}).get_json()
    assert body["message"] == "Sign in first: a valid token or session is required."
