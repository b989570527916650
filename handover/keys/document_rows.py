"""The rows key documents are made of (read side): tag sheets, the key handover record, the
entrustment letter and the batch's key ledger, read from the database into plain frozen data.
`documents` lays them out. Callers have already checked that the user may see the batch, unit
or event.
"""
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

from handover.accounts.models import User
from handover.accounts.rules import mask_id_number
from handover.core import storage
from handover.core.timeutil import now_utc, to_local, today_local
from handover.extensions import db
from handover.keys import queries, rules
from handover.keys.importing import CHINESE_KIND_NAMES, chinese_building
from handover.keys.models import KeyEvent, KeyEventType
from handover.projects.models import Batch, Building, Unit


def unit_place(unit: Unit | None) -> str:
    """The unit as every document names it (1号楼1单元201室)."""
    return unit.full_name if unit else ""


def owner_names(unit: Unit) -> str:
    contract = unit.contract
    return "、".join(o.name for o in [contract.owner, *contract.co_owners]) if contract else ""


# --- tag sheet -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyTag:
    code: str
    #: 1栋1单元1201, or the label of a public-room key
    place: str
    kind_name: str
    copies: int
    cabinet_slot: str


@dataclass(frozen=True)
class TagSheet:
    title: str
    tags: tuple[KeyTag, ...]
    project: str = ""


def gather_tags(user: User, batch: Batch, building_id: int | None = None) -> TagSheet:
    """Tags of the batch's keys (or one building's), in building, entrance, floor, room order.
    Lost keys and keys whose lock was changed get no tag."""
    keys = db.session.scalars(queries.ledger_query(user, batch_id=batch.id, building_id=building_id))
    tags = tuple(KeyTag(key.code, unit_place(key.unit) or key.label, CHINESE_KIND_NAMES[key.kind], key.copies,
                        key.cabinet_slot or "") for key in keys if key.status not in rules.GONE)
    building = db.session.get(Building, building_id) if building_id else None
    where = f" · {chinese_building(building.name)}" if building else ""
    return TagSheet(f"{batch.project.name} · {batch.name}{where}", tags, batch.project.name)


# --- handover record and entrustment letter ------------------------------------------------------

@dataclass(frozen=True)
class KeyLine:
    label: str
    kind_name: str
    copies: int
    code: str
    at: datetime
    to: str


@dataclass(frozen=True)
class Signing:
    """One sitting in which the owner signed on the tablet."""

    name: str
    at: datetime
    staff: str
    signature: Path | None


@dataclass(frozen=True)
class Use:
    at: datetime
    event: str
    to: str
    note: str
    staff: str


@dataclass(frozen=True)
class Person:
    """A buyer as key documents print them: the ID number masked, the phone for the office to call."""

    name: str
    id_masked: str
    phone: str


@dataclass(frozen=True)
class UnitHeader:
    project: str
    batch: str
    place: str
    owners: str
    printed_at: datetime
    company: str = ""
    people: tuple[Person, ...] = ()
    #: the day the unit was handed over (the owner signed), if it was
    handed_over_on: date | None = None
    unit_id: int = 0
    seal_box: bool = False


@dataclass(frozen=True)
class HandoverRecord:
    header: UnitHeader
    lines: tuple[KeyLine, ...]
    signings: tuple[Signing, ...]

    @property
    def file_name(self) -> str:
        return f"钥匙移交记录-{self.header.place}.pdf".replace("/", "-")


@dataclass(frozen=True)
class EntrustmentLetter:
    header: UnitHeader
    lines: tuple[KeyLine, ...]
    belongings: str
    entrusted: Signing
    uses: tuple[Use, ...]
    returned: Signing | None

    @property
    def file_name(self) -> str:
        return f"钥匙委托书-{self.header.place}-{to_local(self.entrusted.at):%Y%m%d}.pdf".replace("/", "-")


def _people(unit: Unit) -> tuple[Person, ...]:
    contract = unit.contract
    if contract is None:
        return ()
    return tuple(Person(o.name, mask_id_number(o.id_number) or "", o.phone or "")
                 for o in [contract.owner, *contract.co_owners])


def _header(unit: Unit) -> UnitHeader:
    project = unit.batch.project
    return UnitHeader(project.name, unit.batch.name, unit_place(unit), owner_names(unit), now_utc(),
                      company=project.company, people=_people(unit), handed_over_on=unit.handed_over_on,
                      unit_id=unit.id, seal_box=project.seal_box)


def _line(event: KeyEvent) -> KeyLine:
    key = event.key
    return KeyLine(key.label, CHINESE_KIND_NAMES[key.kind], key.copies, key.code, event.at, event.counterparty)


def _signature_file(event: KeyEvent) -> Path | None:
    if not event.signature_path:
        return None
    path = storage.resolve(event.signature_path)
    return path if path.is_file() else None


def _signing(event: KeyEvent) -> Signing:
    return Signing(event.counterparty, event.at, event.actor_name, _signature_file(event))


def gather_handover_record(unit: Unit) -> HandoverRecord:
    """Every key handed to the unit's owner, and each sitting's drawn signature."""
    events = queries.unit_events(unit.id, [KeyEventType.HANDED_TO_OWNER])
    return HandoverRecord(_header(unit), tuple(_line(e) for e in events),
                          tuple(_signing(group[0]) for group in queries.sittings(events)))


def gather_entrustment_letter(event: KeyEvent) -> EntrustmentLetter:
    """The entrustment sitting that `event` belongs to, what happened to those keys while the office
    held them, and the owner's signature when they were returned."""
    unit = event.key.unit
    entrustment = next(e for e in queries.unit_entrustments(unit.id) if event.id in {x.id for x in e.events})
    uses = tuple(Use(e.at, e.type.label, e.counterparty, e.note, e.actor_name) for e in entrustment.uses)
    return EntrustmentLetter(_header(unit), tuple(_line(e) for e in entrustment.events), entrustment.first.note,
                             _signing(entrustment.first), uses,
                             _signing(entrustment.returned) if entrustment.returned else None)


# --- key ledger (Excel) --------------------------------------------------------------------------

@dataclass(frozen=True)
class KeyLedger:
    batch: str
    state: list[tuple]
    history: list[tuple]

    @property
    def file_name(self) -> str:
        return f"钥匙台账-{self.batch}-{today_local():%Y%m%d}.xlsx".replace("/", "-")


def _place_columns(unit: Unit | None) -> tuple[str, str, str]:
    return (unit.building.name, unit.entrance, unit.room_no) if unit else ("", "", "")


def gather_key_ledger(user: User, batch: Batch) -> KeyLedger:
    """Sheet 1: each key's current state; sheet 2: every custody event of the batch's keys in time order."""
    today = today_local()
    keys = list(db.session.scalars(queries.ledger_query(user, batch_id=batch.id)))
    state = [(*_place_columns(k.unit), k.kind.label, k.label, k.code, k.copies, k.cabinet_slot or "", k.status.label,
              k.holder, k.due_back_on, "是" if rules.is_overdue(k.status, k.due_back_on, today) else "")
             for k in keys]
    by_id = {key.id: key for key in keys}
    events = db.session.scalars(sa.select(KeyEvent).where(KeyEvent.key_id.in_(list(by_id)))
                                .order_by(KeyEvent.at, KeyEvent.id)) if by_id else []
    history = [(e.at, *_place_columns(by_id[e.key_id].unit), by_id[e.key_id].code, by_id[e.key_id].label,
                e.type.label, e.counterparty, {True: "能开", False: "打不开"}.get(e.result_ok, ""), e.note,
                e.status_after.label, e.actor_name, "是" if e.signature_path else "") for e in events]
    return KeyLedger(batch.name, state, history)
