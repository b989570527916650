"""Pure rules of notifications: quiet hours, the contact limit, and the Chinese templates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

#: the message texts. Owners read Chinese; the templates are Chinese in the code on purpose
#: (they are messages to third-party channels, not UI strings of a page that follows the locale).
TEMPLATES: dict[str, tuple[str, str]] = {
    "defect_fixed": ("您报告的问题已修复", "{place}的问题“{what}”已整改完成并通过复验。如仍有疑问，请在业主门户回复。"),
    "defect_update": ("您报告的问题有新进展", "{place}的问题“{what}”当前状态：{status}。"),
    "key_returned": ("您委托的钥匙已归还", "您委托我们保管的{place}钥匙已交还给您。"),
    "case_update": ("您的{kind}有新进展", "工单 {number}（{place}）当前状态：{status}。{note}"),
    "case_reply": ("您的{kind}有新回复", "工单 {number}：{note}"),
    "case_escalated": ("工单升级：{number}", "{kind} {number}（{place}）已升级：{reason}。"),
    "case_breached": ("工单超时：{number}", "{kind} {number}（{place}）未在承诺时间内{what}。"),
    "case_assigned": ("新工单：{number}", "{kind} {number}（{place}）：{description}"),
    "survey_invite": ("邀请您评价我们的服务", "感谢您！请花一分钟评价“{touchpoint}”的服务。"),
    "follow_up": ("低分回访：{number}", "业主对“{touchpoint}”的评价较低（推荐度 {recommend}），请立即回访。"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, **values) -> tuple[str, str]:
    """(title, body) of a template filled with `values` (a missing value renders empty)."""
    title, body = TEMPLATES[template]
    fill = _Blank({key: "" if value is None else value for key, value in values.items()})
    return title.format_map(fill), body.format_map(fill)


@dataclass(frozen=True)
class Quiet:
    start: int  # hour, local (21)
    end: int  # hour, local (8)

    def covers(self, local: datetime) -> bool:
        hour = local.hour
        if self.start == self.end:
            return False
        if self.start > self.end:  # over midnight
            return hour >= self.start or hour < self.end
        return self.start <= hour < self.end

    def ends_after(self, local: datetime) -> datetime:
        """The first moment after `local` outside the quiet hours (local time)."""
        if not self.covers(local):
            return local
        end = local.replace(hour=self.end, minute=0, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)


def over_limit(sent_today: int, daily_limit: int, *, essential: bool) -> bool:
    """Would one more SMS/WeChat message exceed the owner's contact limit? Essential ones pass."""
    return not essential and sent_today >= daily_limit


#: permissions that name who receives staff messages (escalations and breaches; low-score follow-ups)
RECIPIENT_PERMISSIONS = ("cases.escalations", "cases.follow_up")
