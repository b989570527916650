"""One verb per act: the same return of a key is 归还 on every page (never 收回 beside 归还)."""
from pathlib import Path

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "handover/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


def test_taking_a_key_back_and_the_returned_event_use_the_same_verb():
    catalogue = _catalogue()
    button, event = catalogue.get("Take back").string, catalogue.get("Returned").string
    assert "归还" in button and "归还" in event
    strings = [m.string for m in catalogue if m.id and isinstance(m.string, str)]
    assert not [s for s in strings if "收回" in s], "收回 and 归还 name the same act: use 归还"
