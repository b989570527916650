"""Pure rules on master data values: natural ordering, identity documents, fit-out words, and the
contradictions an import warns about."""
import re
from datetime import date
from decimal import Decimal

from handover.projects.models import FitoutType

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
_DOCUMENT_RE = re.compile(r"^[A-Za-z0-9()（）-]{5,32}$")

FITOUT_WORDS = {
    "毛坯": FitoutType.ROUGH, "毛坯房": FitoutType.ROUGH, "rough": FitoutType.ROUGH,
    "精装": FitoutType.DECORATED, "精装修": FitoutType.DECORATED, "精装房": FitoutType.DECORATED,
    "decorated": FitoutType.DECORATED,
}

#: the word the import file uses for each fit-out type (also shown in previews, whatever the language)
FITOUT_WORD = {FitoutType.ROUGH: "毛坯", FitoutType.DECORATED: "精装"}


def natural_key(name: str) -> str:
    """'2' → '00000002', '10号楼' → '00000010号楼', so buildings sort as people count them."""
    return re.sub(r"\d+", lambda m: m.group(0).zfill(8), name.strip())


def is_valid_resident_id(value: str) -> bool:
    """GB 11643 checksum of an 18-character mainland resident ID."""
    value = value.upper()
    if not _RESIDENT_ID_RE.match(value):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == value[17]


def id_number_problem(value: str) -> str | None:
    """Why an identity document number is unacceptable, or None.

    18-character numbers are mainland resident IDs and must pass the checksum; other documents
    (passports, Hong Kong/Macau/Taiwan permits) only need a plausible shape.
    """
    if len(value) == 18 and value[:17].isdigit():
        return None if is_valid_resident_id(value) else "bad_checksum"
    return None if _DOCUMENT_RE.match(value) else "bad_shape"


def parse_fitout(value: str) -> FitoutType | None:
    return FITOUT_WORDS.get(value.strip().lower()) if value else None


#: unit price × area and total price may differ by rounding, but not by more than one yuan
PRICE_TOLERANCE = Decimal("1.00")
#: measured and contract areas further apart than this many times the contract's threshold are suspect
AREA_GAP_FACTOR = 2


def price_disagreement(area: Decimal | None, unit_price: Decimal | None,
                       total_price: Decimal | None) -> Decimal | None:
    """unit price × area − total price, when both prices are given and differ by more than 1 yuan."""
    if area is None or unit_price is None or total_price is None:
        return None
    difference = unit_price * area - total_price
    return difference if abs(difference) > PRICE_TOLERANCE else None


def area_gap(contract_area: Decimal | None, measured_area: Decimal | None,
             threshold: Decimal) -> Decimal | None:
    """r = (M − A) / A, when |r| exceeds twice the contract's area-differential threshold.

    Such a gap is more often a typing error (a wrong unit, a swapped column) than a survey result.
    """
    if not contract_area or measured_area is None:
        return None
    ratio = (measured_area - contract_area) / contract_area
    return ratio if abs(ratio) > AREA_GAP_FACTOR * threshold else None


def handover_phase(handed_over_on: date | None, window_start: date | None, window_end: date | None,
                   today: date) -> str:
    """Where a unit stands, from the one fact staff record (the signed handover date) and the batch
    window: "handed_over", "in_window", "upcoming", "window_passed" or "unscheduled". Staff pages and
    the owner's portal both read it, so they cannot tell two stories."""
    if handed_over_on is not None:
        return "handed_over"
    if window_start is None:
        return "unscheduled"
    if today < window_start:
        return "upcoming"
    if window_end is None or today <= window_end:
        return "in_window"
    return "window_passed"


def _suffixed(value: str, suffix: str, known: tuple[str, ...]) -> str:
    value = (value or "").strip()
    return value if not value or value.endswith(known) else f"{value}{suffix}"


def unit_name(building: str, entrance: str, room_no: str) -> str:
    """The one way documents name a unit: 1号楼1单元201室. A building already named 1号楼 / 1栋 and
    an entrance already called 1单元 keep their words."""
    return (_suffixed(building, "号楼", ("楼", "栋", "幢", "座")) + _suffixed(entrance, "单元", ("单元",))
            + _suffixed(room_no, "室", ("室",)))
