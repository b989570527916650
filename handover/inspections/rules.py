"""Pure inspection rules: the default checklist and measured limits."""
from decimal import Decimal

from handover.inspections.models import WarrantyClass

W = WarrantyClass

#: (category, item, warranty class, min, max, unit, phrases); from DOMAIN.md "Default inspection checklist"
DEFAULT_CHECKLIST = [
    ("尺寸", "开间、进深尺寸偏差", W.STRUCTURE, None, None, "", ["尺寸偏差超标", "墙体不方正"]),
    ("尺寸", "室内净高", W.STRUCTURE, Decimal("2.80"), None, "m", ["净高不足"]),
    ("地面", "空鼓", W.INSTALLATION, None, None, "", ["地面空鼓", "敲击声音异常"]),
    ("地面", "裂缝", W.INSTALLATION, None, None, "", ["地面裂缝", "找平层开裂"]),
    ("地面", "平整度（2 m 靠尺）", W.INSTALLATION, None, Decimal("0.004"), "m", ["地面不平", "起砂"]),
    ("墙面顶棚", "空鼓", W.INSTALLATION, None, None, "", ["墙面空鼓", "顶棚空鼓"]),
    ("墙面顶棚", "裂缝", W.INSTALLATION, None, None, "", ["墙面裂缝", "顶棚裂缝", "阴阳角开裂"]),
    ("墙面顶棚", "渗水、潮湿", W.WATERPROOFING, None, None, "", ["墙面渗水", "墙面返潮发霉", "顶棚水渍"]),
    ("门窗", "开启灵活", W.INSTALLATION, None, None, "", ["窗扇开启不畅", "门窗碰撞"]),
    ("门窗", "密封条", W.INSTALLATION, None, None, "", ["密封条脱落", "密封条缺失"]),
    ("门窗", "玻璃", W.INSTALLATION, None, None, "", ["玻璃划伤", "玻璃破损", "中空玻璃起雾"]),
    ("门窗", "五金件", W.INSTALLATION, None, None, "", ["把手松动", "合页损坏", "限位器缺失"]),
    ("门窗", "淋水试验", W.WATERPROOFING, None, None, "", ["窗框渗水", "窗台渗水"]),
    ("入户门", "门锁与钥匙", W.INSTALLATION, None, None, "", ["门锁开启不畅", "钥匙不匹配"]),
    ("入户门", "门面", W.INSTALLATION, None, None, "", ["门面划伤", "门框变形"]),
    ("栏杆护窗", "栏杆高度（临空高度 24 m 以下）", W.INSTALLATION, Decimal("1.05"), None, "m", ["栏杆高度不足"]),
    ("栏杆护窗", "栏杆高度（临空高度 24 m 及以上）", W.INSTALLATION, Decimal("1.10"), None, "m", ["栏杆高度不足"]),
    ("栏杆护窗", "竖杆间距", W.INSTALLATION, None, Decimal("0.11"), "m", ["竖杆间距过大"]),
    ("防水", "卫生间闭水试验", W.WATERPROOFING, None, None, "", ["闭水试验渗漏", "楼下顶棚渗水"]),
    ("防水", "厨房闭水试验", W.WATERPROOFING, None, None, "", ["闭水试验渗漏"]),
    ("防水", "阳台闭水试验", W.WATERPROOFING, None, None, "", ["闭水试验渗漏", "阳台积水"]),
    ("给排水", "给水", W.INSTALLATION, None, None, "", ["水压不足", "接口渗漏"]),
    ("给排水", "排水", W.INSTALLATION, None, None, "", ["排水不畅", "管道堵塞"]),
    ("给排水", "地漏坡度", W.INSTALLATION, None, None, "", ["地漏倒坡", "地面积水"]),
    ("电气", "插座通电", W.INSTALLATION, None, None, "", ["插座不通电", "插座面板松动"]),
    ("电气", "断路器与漏电保护动作", W.INSTALLATION, None, None, "", ["漏电保护不动作", "空开跳闸"]),
    ("电气", "开关", W.INSTALLATION, None, None, "", ["开关失灵", "面板破损"]),
    ("烟道风道", "烟道、风道通畅", W.INSTALLATION, None, None, "", ["烟道堵塞", "止逆阀缺失"]),
    ("暖通", "采暖、空调", W.HEATING_COOLING, None, None, "", ["地暖不热", "暖气片漏水", "空调不制冷"]),
    ("精装", "橱柜、洁具、地板等装修项", W.INSTALLATION, None, None, "", ["橱柜门板损坏", "洁具划伤", "地板起拱"]),
]

# Art. 40 of the construction quality regulations (建设工程质量管理条例) by what an item is about. A crack
# or hollow in plaster, screed or tiles is fit-out (装修), not the main structure: only the load-bearing
# structure and the dimensions it fixes carry the design-life warranty.
_HEATING_COOLING_WORDS = ("暖通", "采暖", "供暖", "暖气", "地暖", "空调", "供冷")
_WATERPROOFING_WORDS = ("防水", "闭水", "淋水", "渗水", "潮湿", "返潮", "屋面", "外墙渗")
_STRUCTURE_WORDS = ("地基", "基础", "主体", "结构", "承重", "剪力墙", "梁", "柱", "楼板", "尺寸", "净高")


def warranty_class_for(category: str, name: str) -> WarrantyClass:
    """The art. 40 class of a checklist item (category + item): heating/cooling, waterproofing and
    leaks, main structure; everything else (wiring, pipes, equipment, fit-out) is the 2-year class."""
    text = f"{category} {name}"
    for words, warranty_class in ((_HEATING_COOLING_WORDS, W.HEATING_COOLING), (_WATERPROOFING_WORDS, W.WATERPROOFING),
                                  (_STRUCTURE_WORDS, W.STRUCTURE)):
        if any(word in text for word in words):
            return warranty_class
    return W.INSTALLATION


DEFAULT_ROOMS = ["客厅", "餐厅", "主卧", "次卧", "书房", "厨房", "主卫", "次卫", "阳台", "玄关", "走廊", "外立面", "公共区域"]


def measurement_passes(value: Decimal, limit_min: Decimal | None, limit_max: Decimal | None) -> bool:
    """A measured value passes when it lies within the item's limits (both inclusive)."""
    if limit_min is not None and value < limit_min:
        return False
    return not (limit_max is not None and value > limit_max)


def describe_limit(limit_min: Decimal | None, limit_max: Decimal | None, unit: str) -> str:
    parts = []
    if limit_min is not None:
        parts.append(f"≥ {limit_min.normalize():f} {unit}".strip())
    if limit_max is not None:
        parts.append(f"≤ {limit_max.normalize():f} {unit}".strip())
    return ", ".join(parts)
