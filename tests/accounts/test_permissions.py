"""The permission table is the one place that says who may do what.

The matrix below is the approved role × permission grid, written out by hand: a change to the table
that is not also made here fails, so every change of duties is deliberate and reviewed. The
table's own checks (unknown names, `can`/`ensure`) and the rule that no role set or role string
lives anywhere else in the code are here too.
"""
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from handover.accounts.models import Role
from handover.accounts.permissions import PERMISSIONS, can, ensure, requires, roles_for
from handover.core.errors import NotPermitted

COLUMNS = "admin engineering sales property finance manager contractor owner".split()

#: x = the role holds the permission.          adm eng sal pro fin man con own
MATRIX = """
accounts.issue_activation_code                  x   .   x   x   .   .   .   .
accounts.own                                    x   x   x   x   x   x   x   x
accounts.sign_out                               x   x   x   x   x   x   x   x
audit.view                                      x   .   .   .   .   .   .   .
cases.close                                     x   .   .   x   .   x   .   x
cases.configure                                 x   .   .   .   .   x   .   .
cases.escalations                               x   .   .   .   .   x   .   .
cases.follow_up                                 .   .   .   x   .   x   .   .
cases.handle                                    x   x   x   x   .   x   .   .
cases.raise                                     x   x   x   x   x   x   .   x
cases.reply                                     x   x   x   x   x   x   .   x
cases.to_defect                                 x   x   .   x   .   x   .   .
cases.view                                      x   x   x   x   x   x   .   x
defects.add_photo                               x   x   x   x   x   x   x   x
defects.assign                                  x   x   .   x   .   x   .   .
defects.confirm_fix                             .   .   .   .   .   .   .   x
defects.contractor_worklist                     .   .   .   .   .   .   x   .
defects.create                                  x   x   x   x   x   x   .   .
defects.dispute                                 .   .   .   .   .   .   .   x
defects.export                                  x   x   x   x   x   x   .   .
defects.fix                                     x   x   .   .   .   .   x   .
defects.manage_plans                            x   x   .   .   .   x   .   .
defects.mark_unfixable                          x   x   .   .   .   x   .   .
defects.reject                                  x   x   .   x   .   x   .   .
defects.verify                                  x   x   .   x   .   x   .   .
defects.view                                    x   x   x   x   x   x   x   x
defects.view_lists                              x   x   x   x   x   x   .   .
defects.view_plans                              x   x   x   x   x   x   x   .
defects.work_on                                 x   x   x   x   x   x   x   .
fees.configure                                  x   .   .   .   x   .   .   .
fees.day_end                                    x   .   .   .   x   x   .   .
fees.decide_return                              x   .   x   .   x   .   .   .
fees.issue_notice                               x   .   x   x   x   .   .   .
fees.receipts                                   x   .   .   .   x   .   .   .
fees.record_payment                             x   .   .   .   x   .   .   .
fees.view                                       x   x   x   x   x   x   .   .
fees.view_overview                              x   .   x   .   x   x   .   .
fees.view_statement                             x   x   x   x   x   x   .   x
handovers.book                                  x   x   x   x   x   x   .   x
handovers.check_in                              x   .   x   x   .   x   .   .
handovers.plan_day                              x   .   x   x   .   x   .   .
handovers.record                                x   x   x   x   x   x   .   x
handovers.revoke                                x   .   .   .   .   x   .   .
handovers.sign                                  x   .   x   x   .   x   .   .
handovers.station                               x   x   x   x   x   x   .   .
handovers.view                                  x   x   x   x   x   x   .   .
handovers.view_day                              x   x   x   x   x   x   .   .
inspections.edit_checklist                      x   .   .   .   .   .   .   .
inspections.inspect                             x   x   x   x   .   x   .   .
inspections.view                                x   x   x   x   x   x   .   .
jobs.restart                                    x   x   x   x   x   x   .   .
jobs.view                                       x   x   x   x   x   x   .   .
keys.hand_to_owner                              x   .   .   x   .   x   .   .
keys.import                                     x   .   .   x   .   x   .   .
keys.lend                                       x   .   .   x   .   x   .   .
keys.manage                                     x   .   .   x   .   x   .   .
keys.view                                       x   x   x   x   x   x   .   x
keys.view_ledger                                x   x   x   x   x   x   .   .
menu.fees                                       x   .   .   .   x   x   .   .
menu.keys                                       x   .   .   x   .   x   .   .
notifications.inbox                             x   x   x   x   x   x   x   x
people.view_full_id                             x   .   x   .   x   .   .   x
people.view_full_phone                          x   .   x   x   x   .   .   x
portal.receipts                                 .   .   .   .   .   .   .   x
portal.use                                      .   .   .   .   .   .   .   x
projects.create                                 x   .   .   .   .   .   .   .
projects.create_batch                           x   .   .   .   .   x   .   .
projects.create_contractor                      x   x   .   .   .   x   .   .
projects.import                                 x   .   x   .   .   .   .   .
projects.see_all                                x   .   .   .   .   .   .   .
projects.settings                               x   .   .   .   .   .   .   .
projects.view                                   x   x   x   x   x   x   .   .
projects.view_units                             x   x   x   x   x   x   .   x
risks.approve                                   x   .   .   .   .   x   .   .
risks.area_defects                              x   x   x   x   x   x   .   .
risks.areas                                     x   x   .   x   .   x   .   .
risks.edit                                      x   x   x   x   .   x   .   .
risks.transfer                                  x   x   .   x   .   x   .   .
risks.view                                      x   x   x   x   x   x   .   .
surveys.answer                                  .   .   .   .   .   .   .   x
surveys.dashboard                               x   .   x   x   .   x   .   .
"""


def _approved() -> dict[str, frozenset[Role]]:
    grid = {}
    for line in MATRIX.strip().splitlines():
        name, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        grid[name] = frozenset(Role(role) for role, mark in zip(COLUMNS, marks) if mark == "x")
    return grid


def _render(table: dict[str, frozenset[Role]]) -> str:
    return "\n".join(f"{name:<48}" + "   ".join("x" if Role(role) in roles else "." for role in COLUMNS)
                     for name, roles in sorted(table.items()))


def test_the_table_is_the_approved_role_by_permission_matrix():
    generated = {name: frozenset(roles) for name, roles in PERMISSIONS.items()}
    assert _render(generated) == _render(_approved()), "paste the generated grid into MATRIX if the change is meant"


@pytest.mark.parametrize("role", list(Role))
def test_can_answers_from_the_table_for_every_role_and_permission(role):
    user = SimpleNamespace(role=role)
    for name in PERMISSIONS:
        assert can(user, name) is (role in _approved()[name]), name


def test_nobody_signed_out_may_do_anything():
    assert not any(can(None, name) for name in PERMISSIONS)


def test_ensure_refuses_with_403_and_unknown_names_fail_loudly():
    ensure(SimpleNamespace(role=Role.FINANCE), "fees.record_payment")
    with pytest.raises(NotPermitted) as refused:
        ensure(SimpleNamespace(role=Role.SALES), "fees.record_payment")
    assert refused.value.status == 403
    with pytest.raises(KeyError, match="fees.record_paymnet"):
        can(SimpleNamespace(role=Role.ADMIN), "fees.record_paymnet")
    with pytest.raises(KeyError):
        requires("no.such_permission")


def test_requires_marks_the_view_with_its_permission_and_roles():
    @requires("keys.lend")
    def view():
        return "ok"

    assert view._permission == "keys.lend"
    assert view._access == roles_for("keys.lend") == {Role.ADMIN, Role.PROPERTY, Role.MANAGER}


# --- no role checks outside the table ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
#: where a role may be named: the table, the enum itself, and code that creates users of a role
ALLOWED_FILES = {"handover/accounts/permissions.py", "handover/accounts/models.py", "handover/accounts/cli.py",
                 "handover/accounts/service.py", "handover/demo.py"}
ROLE_NAMES = "|".join(role.value for role in Role)
PYTHON_PATTERNS = {
    "a Role member": re.compile(r"\bRole\.[A-Z]"),
    "a role set": re.compile(r"\b[A-Z_]*_ROLES\b|\b(READERS|KEEPERS|RECORDERS|INSPECTORS|SIGNERS|DECIDERS)\b\s*="),
    "a role comparison": re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)"),
    "a role string": re.compile(rf"""["']({ROLE_NAMES})["'].*\brole\b|\brole\b.*["']({ROLE_NAMES})["']|_roles\("""
                                rf"""|["']({ROLE_NAMES})["']\s*,\s*["']({ROLE_NAMES})["']"""),
    "@allow(roles)": re.compile(r"@allow\(|\bimport\b.*\ballow\b"),
}
TEMPLATE_PATTERNS = {
    "a role comparison": re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)|\brole\s*(==|!=)"),
    "a role string": re.compile(rf"""(==|!=|\bin\b)\s*\(?\s*["']({ROLE_NAMES})["']"""),
    "is_staff": re.compile(r"\bis_staff\b"),
}


def role_checks(text: str, patterns: dict[str, re.Pattern]) -> list[tuple[int, str, str]]:
    """(line number, what, line) for every line of `text` that decides something by role."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0] if patterns is PYTHON_PATTERNS else line
        for what, pattern in patterns.items():
            if pattern.search(code):
                found.append((number, what, line.strip()))
    return found


def test_the_detector_finds_role_checks():
    assert role_checks("if user.role in FINANCE_ROLES:", PYTHON_PATTERNS)
    assert role_checks("    if Role.FINANCE in roles:", PYTHON_PATTERNS)
    assert role_checks("NOTICE_ROLES = frozenset()", PYTHON_PATTERNS)
    assert role_checks("KEEPERS = {1}", PYTHON_PATTERNS)
    assert role_checks("if actor.role != owner_role:", PYTHON_PATTERNS)
    assert role_checks("""    "assign": _roles("admin", "engineering"),""", PYTHON_PATTERNS)
    assert role_checks("""if user.role.value in ("admin", "manager"):""", PYTHON_PATTERNS)
    assert role_checks("""MAY_SIGN = {"sales", "property"}""", PYTHON_PATTERNS)
    assert role_checks("@allow(STAFF)", PYTHON_PATTERNS)
    assert role_checks("from handover.core.access import allow", PYTHON_PATTERNS)
    assert role_checks("{% if me.role in ('admin', 'manager') %}", TEMPLATE_PATTERNS)
    assert role_checks("{% if me.role == 'admin' %}", TEMPLATE_PATTERNS)
    assert role_checks("{% if me and me.is_staff %}", TEMPLATE_PATTERNS)
    assert not role_checks('@requires("fees.record_payment")', PYTHON_PATTERNS)
    assert not role_checks('if can(user, "defects.assign"):', PYTHON_PATTERNS)
    assert not role_checks('    if user.is_owner:', PYTHON_PATTERNS)
    assert not role_checks('"owner": owner.name, "contractor": contractor or ""', PYTHON_PATTERNS)
    assert not role_checks('{% if can("keys.lend") %}<span>{{ me.role.label }}</span>{% endif %}', TEMPLATE_PATTERNS)


def test_no_role_set_or_role_string_outside_the_permission_table():
    offenders = []
    for path in sorted((ROOT / "handover").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in ALLOWED_FILES:
            offenders += [f"{relative}:{n}: {what}: {line}"
                          for n, what, line in role_checks(path.read_text(encoding="utf-8"), PYTHON_PATTERNS)]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT).as_posix()
        offenders += [f"{relative}:{n}: {what}: {line}"
                      for n, what, line in role_checks(path.read_text(encoding="utf-8"), TEMPLATE_PATTERNS)]
    assert offenders == [], "ask the table (accounts.permissions: can/ensure/@requires) instead:\n" + "\n".join(
        offenders)


# --- every name the code asks for is in the table, and the table holds no dead names --------------

NAME_USES = re.compile(r"""(?:requires|can|ensure)\((?:[^()"']*,\s*)?["']([a-z_]+\.[a-z_]+)["']""")
#: permissions declared ahead of the code that asks for them
RESERVED = {"handovers.view"}


def _asked_for() -> dict[str, list[str]]:
    uses: dict[str, list[str]] = {}
    files = [*(ROOT / "handover").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    for path in files:
        if path.name == "permissions.py":
            continue
        text = path.read_text(encoding="utf-8")
        for name in NAME_USES.findall(text):
            uses.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    from handover.defects.rules import ACTION_PERMISSIONS

    for name in ACTION_PERMISSIONS.values():
        uses.setdefault(name, []).append("handover/defects/rules.py")
    from handover.cases.rules import ACTION_PERMISSIONS as CASE_ACTIONS
    from handover.notifications.rules import RECIPIENT_PERMISSIONS

    for name in CASE_ACTIONS.values():
        uses.setdefault(name, []).append("handover/cases/rules.py")
    for name in RECIPIENT_PERMISSIONS:
        uses.setdefault(name, []).append("handover/notifications/rules.py")
    return uses


def test_every_permission_the_code_asks_for_is_in_the_table():
    unknown = {name: where for name, where in _asked_for().items() if name not in PERMISSIONS}
    assert unknown == {}


def test_every_permission_in_the_table_is_asked_for_somewhere():
    assert sorted(set(PERMISSIONS) - set(_asked_for()) - RESERVED) == []
