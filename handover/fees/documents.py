"""Fee documents as PDFs: the handover notice (one, or a batch's merged into one file for
printing) and the receipt of a payment. Layout only: the data comes from `document_rows`.
"""
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from handover.core.timeutil import to_local
from handover.fees.document_rows import FeeStatement, Notice, Receipt
from handover.fees.rules import money_text
from handover.reporting import pdf

WHAT_TO_BRING = (
    "全体买受人（含共有人）的身份证原件；本人不能到场的，受托人须携带经公证的授权委托书及本人身份证原件；",
    "《商品房买卖合同》原件；",
    "购房款及已缴各项费用的收款收据或发票；",
    "本通知书。",
)
STEPS = ("签到", "费用结算", "验房", "签署交付文件", "领取钥匙及《住宅质量保证书》《住宅使用说明书》")
NOTICE_WIDTHS = (10 * mm, 34 * mm, 101 * mm, 35 * mm)
#: the notice's own page numbering, so each notice of a merged batch file counts from 1
PAGE_LABEL = "第 %(page)d 页，共 %(pages)d 页"
SUBTOTAL_FILL = colors.HexColor("#f4f6f8")


def _day(value: date | None) -> str:
    return f"{value:%Y年%m月%d日}" if value else "另行通知"


def _period(notice: Notice) -> str:
    if notice.window_start and notice.window_end:
        return f"{_day(notice.window_start)}至{_day(notice.window_end)}"
    return f"{_day(notice.window_start)}起" if notice.window_start else f"{_day(notice.window_end)}前"


def _window(notice: Notice) -> str:
    if notice.window_start is None and notice.window_end is None:
        return "另行通知"
    return f"{_period(notice)}（预约办理）" if notice.scattered else _period(notice)


def _invitation(notice: Notice) -> str:
    place = notice.address or "交付现场"
    opening = f"您购买的{notice.project}{notice.unit_label}已具备交付条件。"
    if notice.window_start is None and notice.window_end is None:
        return f"{opening}具体交付时间另行通知，届时请携带下列资料到{place}办理交付手续。"
    if notice.scattered:
        return f"{opening}请在{_period(notice)}期间提前与我们预约交付时间，届时携带下列资料到{place}办理交付手续。"
    return f"{opening}请于{_period(notice)}，携带下列资料到{place}办理交付手续。"


def _right(st: pdf.Styles) -> ParagraphStyle:
    return ParagraphStyle("cell_right", parent=st.cell, alignment=TA_RIGHT)


def _balance_label(notice: Notice) -> str:
    if notice.balance > 0:
        label, explained = "应付余额", "应付余额（合计 − 已付 + 已退）"
    elif notice.balance < 0:
        label, explained = "应退余额", "应退余额（开发商应退还买受人）"
    else:
        label, explained = "余额", "余额（已结清）"
    return f"{label}（暂定，见下方说明）" if notice.pending else explained


def _fee_table(notice: Notice, st: pdf.Styles) -> Table:
    right = _right(st)
    rows = [[str(n), line.label, line.basis, pdf.text(money_text(line.amount), right)]
            for n, line in enumerate(notice.lines, start=1)]
    subtotals = [("合计", notice.total), ("已付", notice.paid), ("已退", notice.refunded),
                 (_balance_label(notice), abs(notice.balance))]
    first_subtotal = len(rows) + 1
    rows += [["", label, "", pdf.text(money_text(amount), right)] for label, amount in subtotals]
    table = pdf.data_table(["序号", "项目", "计算依据", "金额（元）"], rows, NOTICE_WIDTHS, st)
    table.setStyle(TableStyle([("SPAN", (1, r), (2, r)) for r in range(first_subtotal, len(rows) + 1)]
                              + [("BACKGROUND", (0, first_subtotal), (-1, -1), SUBTOTAL_FILL)]))
    return table


def _fees(notice: Notice, st: pdf.Styles) -> list[Flowable]:
    if not notice.lines:  # no measured area yet: no line can be computed
        return [pdf.text("实测面积确定后，我们将另行通知面积补差及各项费用明细。", st.body)]
    return [pdf.spacer(1.5), _fee_table(notice, st), pdf.spacer(1.5),
            *[pdf.text(note, st.small) for note in _basis_notes(notice)]]


def _area_text(notice: Notice) -> str:
    measured = f" {notice.measured_area:.2f} m²" if notice.measured_area is not None else "尚未确定"
    text = f"合同面积 {notice.contract_area:.2f} m²，实测面积{measured}"
    if notice.ratio_percent is not None:
        text += f"，面积误差比 {notice.ratio_percent:+.2f}%（约定限度 ±{notice.threshold_percent:.2f}%）"
    return text + "。"


def _basis_notes(notice: Notice) -> list[str]:
    notes = [f"面积补差：误差比在 ±{notice.threshold_percent:.2f}% 以内（含本数）的，按（实测面积 − 合同面积）× 合同单价"
             "据实结算；正数为买受人应补缴，负数为开发商应退还。其余各项按上表计算依据计算，均保留到分。"]
    if notice.return_right:
        chosen = f"买受人已选择：{notice.decision}。" if notice.decision else \
            "请在交付时告知是否退房；上表面积补差按不退房计算。"
        notes.append(f"实测面积与合同面积误差比超过 {notice.threshold_percent:.2f}%，依《商品房销售管理办法》"
                     f"第二十条，买受人有权退房。{chosen}")
    else:  # the return right explains itself; other reasons (no measured area yet) are listed
        notes += [f"注：{reason}" for reason in notice.pending]
    return notes


def _activation(notice: Notice, st: pdf.Styles) -> list[Flowable]:
    activation = notice.activation
    if activation.activated:
        return [pdf.text(f"您已开通业主服务平台账号，请访问 {activation.url} ，用手机号（{activation.phone}）和密码登录，"
                         f"查看房屋验收问题、费用明细等信息。", st.body)]
    if activation.withheld:
        return [pdf.text(f"业主服务平台激活码请在交付时到现场客服处领取。领取后请访问 {activation.url} ，输入手机号"
                         f"（{activation.phone}）和激活码，设置登录密码后即可查看房屋验收问题、费用明细等信息。", st.body)]
    if not activation.code:
        return [pdf.text(f"本次未能生成业主服务平台激活码：{activation.problem}请到交付现场客服处办理。", st.body)]
    code_style = ParagraphStyle("code", parent=st.body, fontSize=18, leading=24)
    return [
        pdf.text(f"激活码：{activation.code}", code_style),
        pdf.text(f"请访问 {activation.url} ，输入手机号（{activation.phone}）和上述激活码，设置登录密码后即可查看"
                 f"房屋验收问题、费用明细等信息。激活码仅可使用一次，有效期至 {_day(activation.expires_on)}。"
                 "每次打印本通知书都会生成新的激活码，此前未使用的激活码随即失效。", st.body),
    ]


LATE_CLAUSE = ("买受人未在上述交付时间内办理交付手续的，视为开发商已按合同约定交付房屋（逾期视为交付），"
               "自交付期限届满之次日起，房屋毁损、灭失的风险由买受人承担，物业服务费自该日起计收。")


def _contact(notice: Notice, st: pdf.Styles) -> list[Flowable]:
    """Where and when, how to book, whom to call, where to transfer money."""
    company = notice.company
    lines = []
    venue = company.venue or notice.address
    if venue:
        lines.append(f"办理地点：{venue}")
    if company.hours:
        lines.append(f"办理时间：{company.hours}")
    if company.phone:
        lines.append(f"咨询及预约电话：{company.phone}")
    if company.booking:
        lines.append(f"预约方式：{company.booking}")
    elif notice.scattered:
        lines.append(f"预约方式：请致电{company.phone or '交付中心'}预约办理时间。")
    if company.bank_account:
        lines.append(f"转账账户：{company.bank_account_name or company.name}　开户行：{company.bank_name}　"
                     f"账号：{company.bank_account}（转账请注明房号及买受人姓名）")
    if company.address:
        lines.append(f"公司地址：{company.address}")
    return [pdf.text(line, st.body) for line in lines] or [pdf.text("办理地点及联系电话另行通知。", st.body)]


def _property(notice: Notice, st: pdf.Styles) -> list[Flowable]:
    company = notice.company
    name = company.property_company or "物业服务企业"
    needs = company.property_requirements or ("签署《前期物业服务协议》《临时管理规约》，登记业主及同住人信息，"
                                              "按约定预交物业服务费。")
    return [pdf.text(f"{name}：{needs}", st.body)]


def notice_story(notice: Notice, st: pdf.Styles) -> list[Flowable]:
    """One notice: addressee, window, where and whom to call, what to bring, the steps, the fee table,
    the late-handover clause, what the property company needs, the activation code, the seal."""
    issued = to_local(notice.issued_at)
    return [
        pdf.text(notice.company.name, st.small),
        pdf.text("交付通知书", st.title),
        pdf.fields_table([("项目", notice.project), ("交付批次", notice.batch), ("房号", notice.unit_label),
                          ("合同编号", notice.contract_no), ("买受人", notice.owner_names),
                          ("交付时间", _window(notice))], st),
        pdf.spacer(3),
        pdf.text(f"尊敬的 {notice.owner_names} 业主：", st.body),
        pdf.text(_invitation(notice), st.body),
        pdf.text("一、办理地点、时间及联系方式", st.heading),
        *_contact(notice, st),
        pdf.text("二、请携带", st.heading),
        *[pdf.text(f"{n}. {item}", st.body) for n, item in enumerate(WHAT_TO_BRING, start=1)],
        pdf.text("三、办理流程", st.heading),
        pdf.text(" → ".join(f"{n}. {step}" for n, step in enumerate(STEPS, start=1)), st.body),
        pdf.text("费用结清后方可签署交付文件、领取钥匙（面积补差退款可抵扣其他费用）。", st.small),
        pdf.text("四、费用明细", st.heading),
        pdf.text(_area_text(notice), st.body),
        *_fees(notice, st),
        pdf.text("五、逾期办理", st.heading),
        pdf.text(LATE_CLAUSE, st.body),
        pdf.text("六、物业服务", st.heading),
        *_property(notice, st),
        pdf.keep_together(pdf.text("七、业主服务平台", st.heading), *_activation(notice, st)),
        pdf.spacer(4),
        pdf.sign_off([f"{notice.company.name}（盖章）", f"{issued:%Y年%m月%d日}"], st,
                     seal="盖章处" if notice.company.seal_box else ""),
    ]


def _letterhead(notice: Notice) -> pdf.Letterhead:
    return pdf.Letterhead(notice.company.name, "交付通知书", notice.unit_label, notice.number)


def render_notice(notice: Notice) -> bytes:
    return pdf.render(notice_story(notice, pdf.styles()), title=f"交付通知书 {notice.unit_label}",
                      letterhead=_letterhead(notice), page_label=PAGE_LABEL)


def render_notices(notices: Sequence[Notice], target: Path, *, on_page: Callable[[int], None] = lambda done: None,
                   skipped: Sequence[tuple[str, str]] = ()):
    """Every notice in one PDF for printing, each starting on a new page with its own page count;
    then, if any, a page listing the units that got no notice and why.

    `on_page(done)` is called as each notice is laid out, to report progress.
    """
    st = pdf.styles()
    story: list[Flowable] = []
    for number, notice in enumerate(notices, start=1):
        if story:
            story.append(PageBreak())
        story.append(pdf.SectionStart(_letterhead(notice), partial(on_page, number)))
        story += notice_story(notice, st)
    if skipped:
        if story:
            story.append(PageBreak())
        story += [pdf.SectionStart(pdf.Letterhead(notices[0].company.name if notices else "", "未生成通知书的房屋")),
                  pdf.text("未生成交付通知书的房屋", st.title),
                  pdf.data_table(["序号", "房屋", "原因"], [[str(n), unit, reason] for n, (unit, reason)
                                                          in enumerate(skipped, start=1)],
                                 [14 * mm, 70 * mm, 96 * mm], st)]
    pdf.build(str(target), story, title="交付通知书", page_label=PAGE_LABEL)


COPIES = ("第一联 存根联", "第二联 交款人联", "第三联 记账联")


def _signed(amount: Decimal) -> str:
    return f"-{money_text(-amount)}" if amount < 0 else money_text(amount)


def _receipt_table(receipt: Receipt, st: pdf.Styles) -> Table:
    refund = receipt.kind.startswith("退款")
    payer = "收款人" if refund else "交款人"
    big = ParagraphStyle("big", parent=st.body, fontSize=11, leading=14)
    sign = -1 if receipt.signed_amount < 0 else 1
    paid_for = "；".join(f"{label} ¥{_signed(sign * amount)}" for label, amount in receipt.allocation) or receipt.kind
    capitals = f"{'负' if sign < 0 else ''}人民币{receipt.amount_in_capitals}"
    cells = [
        [pdf.text(payer, st.small), pdf.text(receipt.payer, st.body),
         pdf.text("房号", st.small), pdf.text(f"{receipt.project} {receipt.unit_label}", st.body)],
        [pdf.text("合同编号", st.small), pdf.text(receipt.contract_no, st.body),
         pdf.text("方式", st.small), pdf.text(f"{receipt.kind}／{receipt.method}", st.body)],
        [pdf.text("款项明细", st.small), pdf.text(paid_for, st.body), "", ""],
        [pdf.text("金额（大写）", st.small), pdf.text(capitals, big), pdf.text("小写", st.small),
         pdf.text(f"¥{_signed(receipt.signed_amount)}", big)],
        [pdf.text("摘要", st.small), pdf.text(receipt.note or "—", st.body), "", ""],
        [pdf.text("经办人", st.small), pdf.text(receipt.operator, st.body),
         pdf.text("时间", st.small), pdf.text(f"{to_local(receipt.at):%Y-%m-%d %H:%M}", st.body)],
    ]
    table = Table(cells, colWidths=[22 * mm, 82 * mm, 16 * mm, 60 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, pdf.GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (0, -1), pdf.HEADER_FILL), ("BACKGROUND", (2, 0), (2, 1), pdf.HEADER_FILL),
        ("BACKGROUND", (2, 3), (2, 3), pdf.HEADER_FILL), ("BACKGROUND", (2, 5), (2, 5), pdf.HEADER_FILL),
        ("SPAN", (1, 2), (3, 2)), ("SPAN", (1, 4), (3, 4)),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("FONTNAME", (0, 0), (-1, -1), st.body.fontName),
    ]))
    return table


def _receipt_copy(receipt: Receipt, copy: str, st: pdf.Styles) -> list[Flowable]:
    """One copy (联) of the receipt, half an A4 page high."""
    right = ParagraphStyle("no", parent=st.body, alignment=TA_RIGHT)
    warn = ParagraphStyle("warn", parent=st.small, textColor=colors.HexColor("#b42318"))
    title = ParagraphStyle("receipt_title", parent=st.title, fontSize=14, leading=18, spaceAfter=1 * mm)
    head = Table([[pdf.text(receipt.company.name, st.small), pdf.text(f"No. {receipt.receipt_no}", right)]],
                 colWidths=[pdf.FRAME_WIDTH / 2] * 2)
    head.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.body.fontName), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    story = [pdf.text(receipt.title, title), head, _receipt_table(receipt, st)]
    if receipt.reverses_receipt_no:
        story.append(pdf.text(f"本凭证冲正（撤销）收据 No. {receipt.reverses_receipt_no}，金额以负数计入账户。", warn))
    if receipt.reversed_by_receipt_no:
        story.append(pdf.text(f"本收据已被冲正（冲正凭证 No. {receipt.reversed_by_receipt_no}），不再有效。", warn))
    refund = receipt.kind.startswith("退款")
    signers = ["付款单位（盖章）", "收款人"] if refund else ["收款单位（盖章）", "交款人"]
    foot = Table([[pdf.text(f"{'付款' if refund else '收款'}单位：{receipt.payee}", st.small),
                   pdf.text(f"{copy}　本收据不作发票", right)]], colWidths=[pdf.FRAME_WIDTH / 2] * 2)
    foot.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), st.body.fontName), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    lines = pdf.signature_lines(signers, st)
    lines._argH = [10 * mm, 7 * mm]  # compact: the copy fits half a page
    return [pdf.keep_together(*story, foot, lines)]


def render_receipt(receipt: Receipt) -> bytes:
    """The receipt of one payment, refund or reversal: what was paid per fee line, the amount in
    capitals (negative for a reversal), the copies (联) two to an A4 page with a cut line between."""
    st = pdf.styles()
    story: list[Flowable] = []
    for index, copy in enumerate(COPIES):
        if index % 2:
            story.append(_CutLine())
        elif index:
            story.append(PageBreak())
        story += _receipt_copy(receipt, copy, st)
    letterhead = pdf.Letterhead(receipt.company.name, receipt.title, receipt.unit_label, receipt.receipt_no)
    return pdf.render(story, title=f"{receipt.title} {receipt.receipt_no}", letterhead=letterhead,
                      page_label=PAGE_LABEL)


class _CutLine(Flowable):
    """A dashed line across the page between two copies, with room above and below."""

    def wrap(self, available_width, available_height):
        self.width = available_width
        return available_width, 12 * mm

    def draw(self):
        self.canv.saveState()
        self.canv.setDash(3, 3)
        self.canv.setStrokeColor(pdf.GRID)
        self.canv.line(0, 6 * mm, self.width, 6 * mm)
        self.canv.restoreState()


# --- fee statement for signature ----------------------------------------------------------------

def render_fee_statement(sheet: FeeStatement) -> bytes:
    """费用结算确认单: one page per unit for the buyers to sign: the fee lines and their basis, what
    was received and refunded (each entry), the balance, a statement to confirm, signature lines for
    each buyer and the staff member, the company seal."""
    st = pdf.styles()
    notice = sheet.notice
    right = _right(st)
    number = f"JS-{notice.contract_no}"
    story: list[Flowable] = [
        pdf.text(notice.company.name, st.small),
        pdf.text("费用结算确认单", st.title),
        pdf.fields_table([("项目", notice.project), ("房号", notice.unit_label), ("合同编号", notice.contract_no),
                          ("买受人", notice.owner_names), ("单据编号", number),
                          ("打印时间", f"{to_local(notice.issued_at):%Y-%m-%d %H:%M}")], st),
        pdf.spacer(2), pdf.text(_area_text(notice), st.body),
    ]
    if sheet.returned:
        story.append(pdf.text("买受人已选择退房：本单不作交付费用结算，已收款项按合同约定退还。", st.body))
    story += _fees(notice, st)
    if sheet.entries:
        rows = [[to_local(e.at).strftime("%Y-%m-%d"), e.kind, e.method, e.receipt_no,
                 pdf.text(_signed(e.amount), right)] for e in sheet.entries]
        story += [pdf.text("收退款记录", st.heading),
                  pdf.data_table(["日期", "类别", "方式", "收据号", "金额（元）"], rows,
                                 [26 * mm, 26 * mm, 34 * mm, 54 * mm, 40 * mm], st)]
    state = "已结清" if sheet.settled else ("尚有余额未结清" if notice.balance else "暂定")
    signers = [f"买受人签字（{name}）" for name in sheet.owners] + ["经办人（工作人员）"]
    block = [pdf.spacer(4),
             pdf.text(f"结算状态：{state}。买受人已核对上述面积、各项费用、已付及已退金额，确认无误。", st.body),
             *[pdf.signature_lines(signers[i:i + 2], st) for i in range(0, len(signers), 2)]]
    block.append(pdf.sign_off([f"{notice.company.name}（盖章）"], st, seal="盖章处" if notice.company.seal_box else ""))
    story.append(pdf.keep_together(*block))
    letterhead = pdf.Letterhead(notice.company.name, "费用结算确认单", notice.unit_label, number)
    return pdf.render(story, title=f"费用结算确认单 {notice.unit_label}", letterhead=letterhead,
                      page_label=PAGE_LABEL)
