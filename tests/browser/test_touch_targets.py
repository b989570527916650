"""Touch targets at tablet size (768×1024): every clickable thing on the main pages is at least 44×44 px.

A link or control inside a bigger clickable thing (a table row that opens on tap, a big choice
label) counts as that bigger thing. Text links inside running prose are measured too: on a tablet
they are tapped like any other. The admin's top bar stays one row at 768 px.
"""
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.test_defects import seeded  # noqa: F401 - fixture
from tests.browser.test_flows import MIN_TAP, sign_in
from tests.fixtures.keys import keys, settled_unit  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

#: what a finger can hit: links, buttons, form controls, toggles, rows and labels that act on a tap
CLICKABLE = ("a[href], button, input:not([type=hidden]), select, textarea, summary, label[for], [onclick], "
             "[role=button], [data-remove-photo]")

#: measured in the browser: the box of each visible clickable element, or of its clickable ancestor
MEASURE = """(selector) => {
  const out = [];
  const seen = new Set();
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (el.matches("label[for]")) {  // a field's caption: its control is the target, unless that is hidden
      const control = document.getElementById(el.htmlFor);
      const box = control && control.getBoundingClientRect();
      if (box && box.width >= 44 && box.height >= 44 && getComputedStyle(control).opacity !== "0") continue;
    }
    let target = el.closest("tr[onclick], .row-link, label, summary") || el;
    if (el.matches("input[type=radio], input[type=checkbox], input[type=file]")) {
      target = el.closest("label") || document.querySelector(`label[for="${el.id}"]`) || el;
    }
    if (seen.has(target)) continue;
    seen.add(target);
    const box = target.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (closed <details>, hidden input)
    if (target.closest("[hidden], details:not([open]) > :not(summary)")) continue;
    const text = (target.innerText || target.value || target.getAttribute("aria-label") || target.name || target.tagName)
      .trim().replace(/\\s+/g, " ").slice(0, 40);
    out.push({text, tag: target.tagName.toLowerCase(), width: Math.round(box.width), height: Math.round(box.height)});
  }
  return out;
}"""


def small_targets(page) -> list[str]:
    return [f"{t['tag']} {t['text']!r} {t['width']}×{t['height']}" for t in page.evaluate(MEASURE, CLICKABLE)
            if t["width"] < MIN_TAP or t["height"] < MIN_TAP]


@pytest.fixture
def busy_batch(app, world, keys, seeded):  # noqa: F811
    """Defects in every state, keys in the office and one on loan, so the pages show their controls."""
    from handover.accounts.models import User
    from handover.core.timeutil import today_local
    from handover.defects import service
    from handover.defects.rules import TransitionInput as T
    from handover.extensions import db
    from handover.inspections.models import InspectionStage
    from handover.projects.models import Unit

    with app.app_context():
        engineering, contractor = (db.session.get(User, world.users[n]) for n in ("engineering", "contractor"))
        unit = db.session.get(Unit, world.a1.id)
        ids = []
        for room, category, text in [("客厅", "墙面顶棚", "墙面裂缝"), ("主卫", "防水", "闭水试验渗漏"),
                                     ("厨房", "给排水", "排水不畅")]:
            defect, _ = service.record_defect(unit, service.NewDefect(
                stage=InspectionStage.OPEN_DAY, room=room, category=category, description=text), actor=engineering)
            ids.append(defect.id)
        for defect_id in ids[1:]:
            from handover.defects.models import Defect

            defect = db.session.get(Defect, defect_id)
            service.transition(defect, T("assign", contractor_id=world.contractor_id,
                                         due_date=today_local() + timedelta(days=3)), actor=engineering)
        db.session.commit()
    key = keys.received(world.a1.id)
    keys.received(world.a2.id)
    lent = keys.received(world.a1.id, label="1-1-101 信报箱")
    keys.event(lent.id, "lent", counterparty="维修 王师傅")
    return {"defects": ids, "key": key}


def test_every_clickable_thing_on_the_main_pages_is_thumb_sized(world, busy_batch, page):
    batch = world.a.batch_id
    unit = world.a1.id
    pages = {
        "manager": ["/dashboard", f"/batches/{batch}/units", f"/units/{unit}", f"/units/{unit}/inspections",
                    f"/batches/{batch}/defects", f"/batches/{batch}/defects/dashboard",
                    f"/defects/{busy_batch['defects'][0]}"],
        "property": [f"/keys?batch_id={batch}", f"/keys/{busy_batch['key'].id}", "/keys/find",
                     f"/keys/desk?batch_id={batch}", f"/keys/desk/{unit}", f"/keys/check?batch_id={batch}"],
        "engineering": [f"/units/{unit}/defects/new"],
        "contractor": ["/contractor/defects", f"/defects/{busy_batch['defects'][1]}"],
        "admin": ["/dashboard", "/checklist/", "/audit/"],
        "13800000001": ["/my/", f"/my/units/{unit}"],  # the homeowner
    }
    problems = []
    for user, urls in pages.items():
        sign_in(page, user)
        for url in urls:
            page.goto(url)
            problems += [f"{user} {url}: {small}" for small in small_targets(page)]
        with page.expect_navigation():
            page.click("form[action='/logout'] button")
    assert not problems, "smaller than 44×44 px:\n" + "\n".join(problems)


def test_the_admin_top_bar_stays_one_row_at_tablet_width(world, page):
    sign_in(page, "admin")
    page.goto("/dashboard")
    bar = page.locator(".topbar").bounding_box()
    tallest = page.evaluate("Math.max(...[...document.querySelectorAll('.topbar > *')]"
                            ".map(e => e.getBoundingClientRect().height))")
    assert bar["height"] <= tallest + 16, f"the top bar wraps: {bar['height']:.0f} px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    nav = page.evaluate("[...document.querySelectorAll('.topnav a')].map(a => a.getBoundingClientRect().right)")
    assert max(nav) <= 768, "a section of the top bar is off screen"
    Path("/tmp/h6-shots").mkdir(exist_ok=True)
    page.screenshot(path="/tmp/h6-shots/admin-dashboard-768x1024.png")
