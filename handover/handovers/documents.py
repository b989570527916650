"""The handover's documents, laid out from `document_rows`: the signed handover record
(收楼确认书) and the evening bulletin (交付快报, PDF and Excel). They know no models."""
import io
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Image, Table, TableStyle

from handover.core.timeutil import to_local
from handover.handovers.document_rows import BulletinRows, RecordRows
from handover.reporting import pdf
from handover.reporting.xlsx import Column, write_workbook

METER_LABELS = {"water": "水表（m³）", "electricity": "电表（kWh）", "gas": "燃气表（m³）"}
SIGNATURE_WIDTH, SIGNATURE_HEIGHT = 60 * mm, 22 * mm


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return to_local(value).strftime(fmt) if value else ""


def _signature(png: bytes | None, st: pdf.Styles):
    if not png:
        return pdf.text("（未签名）", st.small)
    image = Image(io.BytesIO(png))
    scale = min(SIGNATURE_WIDTH / image.imageWidth, SIGNATURE_HEIGHT / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
    image.hAlign = "LEFT"
    return image


def _signature_block(rows: RecordRows, st: pdf.Styles) -> Table:
    cells = [[pdf.text("业主（签字）", st.body), _signature(rows.owner_signature, st),
              pdf.text("交付经办人（签字）", st.body), _signature(rows.staff_signature, st)],
             ["", pdf.text(f"{rows.owner}　{_local(rows.signed_at)}", st.small), "",
              pdf.text(f"{rows.staff}　{_local(rows.signed_at)}", st.small)]]
    table = Table(cells, colWidths=[24 * mm, 63 * mm, 28 * mm, 63 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (1, 0), (1, 0), 0.6, colors.black),
                               ("LINEBELOW", (3, 0), (3, 0), 0.6, colors.black),
                               # else the empty cells set Helvetica: referenced, never embedded
                               ("FONTNAME", (0, 0), (-1, -1), st.body.fontName)]))
    return table


def render_handover_record(rows: RecordRows) -> bytes:
    """收楼确认书: unit, owners and co-owners, date, meter readings, documents and keys handed, open
    defects with their promised dates, and both signatures."""
    st = pdf.styles()
    owners = rows.owner + (f"（共有人：{'、'.join(rows.co_owners)}）" if rows.co_owners else "")
    story = [pdf.text("收楼确认书", st.title),
             pdf.fields_table([("项目", rows.project), ("批次", rows.batch), ("房屋", rows.unit), ("业主", owners),
                               ("交付日期", str(rows.handed_over_on or "（未签署）")),
                               ("打印时间", _local(rows.printed_at))], st),
             pdf.spacer(3),
             pdf.text(f"本人确认已于 {rows.handed_over_on or '____'} 收到上述房屋，保修期自交付日期起计算。", st.body),
             pdf.text("一、水电气表读数", st.heading)]
    if rows.readings:
        story.append(pdf.data_table(["表具", "读数"], [[METER_LABELS[m], v] for m, v in rows.readings.items()],
                                    [60 * mm, 40 * mm], st))
    else:
        story.append(pdf.text("（未抄表）", st.body))
    story += [pdf.text("二、交付资料与物品", st.heading),
              pdf.text("、".join(rows.documents) if rows.documents else "（无）", st.body),
              pdf.text("三、钥匙", st.heading),
              pdf.text("、".join(rows.keys) if rows.keys else "（钥匙领取见钥匙移交记录）", st.body),
              pdf.text("四、尚未整改的问题及承诺完成日期", st.heading)]
    if rows.open_defects:
        story.append(pdf.data_table(["序号", "问题", "承诺完成日期"],
                                    [[str(n), text, str(due or "待定")] for n, (text, due) in
                                     enumerate(rows.open_defects, start=1)],
                                    [14 * mm, 120 * mm, 40 * mm], st))
    else:
        story.append(pdf.text("（无）", st.body))
    story += [pdf.spacer(8), _signature_block(rows, st)]
    return pdf.render(story, title=f"收楼确认书 {rows.unit}", footer=rows.project)


def render_bulletin(rows: BulletinRows) -> bytes:
    """交付快报: the day's figures, per station, refusals with reasons, defects raised by category."""
    st = pdf.styles()
    s = rows.summary
    labels = rows.step_labels
    story = [pdf.text(f"交付快报　{rows.project} {rows.batch}　{s.date}", st.title),
             pdf.fields_table([("今日预约", str(s.appointments)), ("今日签到", str(s.checked_in)),
                               ("今日交付", str(s.handed_over)),
                               ("累计交付", f"{s.handed_over_total} / {s.planned or '-'}"),
                               ("今日拒收", str(len(s.refused))),
                               ("平均等候（分钟）", "-" if s.average_wait_minutes is None else str(s.average_wait_minutes))],
                              st),
             pdf.text("各环节", st.heading),
             pdf.data_table(["环节", "当前等候", "平均等候（分钟）"],
                            [[labels.get(code, code), str(s.waiting.get(code, 0)),
                              "-" if s.average_wait_per_station.get(code) is None
                              else str(s.average_wait_per_station[code])] for code in s.steps],
                            [70 * mm, 40 * mm, 50 * mm], st),
             pdf.text("拒收及原因", st.heading)]
    if s.refused:
        story.append(pdf.data_table(["号码", "房屋", "环节", "原因"],
                                    [[str(r["ticket_no"]), r["unit"], labels.get(r["step"], r["step"]), r["note"]]
                                     for r in s.refused], [16 * mm, 34 * mm, 40 * mm, 84 * mm], st))
    else:
        story.append(pdf.text("（无）", st.body))
    story.append(pdf.text("今日登记问题（按类别）", st.heading))
    if rows.defects_by_category:
        story.append(pdf.data_table(["类别", "数量"], [[c, str(n)] for c, n in rows.defects_by_category.items()],
                                    [80 * mm, 30 * mm], st))
    else:
        story.append(pdf.text("（无）", st.body))
    return pdf.render(story, title=f"交付快报 {rows.batch} {s.date}", footer=rows.project)


def bulletin_xlsx(rows: BulletinRows) -> bytes:
    s = rows.summary
    out = io.BytesIO()
    figures = [["今日预约", s.appointments], ["今日签到", s.checked_in], ["今日交付", s.handed_over],
               ["累计交付", s.handed_over_total], ["计划", s.planned or 0], ["今日拒收", len(s.refused)]]
    stations = [[rows.step_labels.get(c, c), s.waiting.get(c, 0), s.average_wait_per_station.get(c)] for c in s.steps]
    refusals = [[r["ticket_no"], r["unit"], rows.step_labels.get(r["step"], r["step"]), r["note"]] for r in s.refused]
    write_workbook(out, [
        ("交付快报", [Column("项目", 20), Column("数量", 12)], figures),
        ("各环节", [Column("环节", 24), Column("当前等候", 12), Column("平均等候（分钟）", 16)], stations),
        ("拒收", [Column("号码", 8), Column("房屋", 14), Column("环节", 20), Column("原因", 40)], refusals),
    ])
    return out.getvalue()
