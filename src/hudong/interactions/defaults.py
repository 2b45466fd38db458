"""What a fresh installation starts with: a price per channel and the usual touchpoints.

The prices are typical for a Chinese contact centre in CNY (an agent minute costs about 1.5 on
the phone, a bulk SMS 0.05) and meant to be edited: they only set the order of magnitude that
the channel recommendation and the cost-to-serve report need on day one.
"""

from __future__ import annotations

from decimal import Decimal

from hudong.interactions.models import ChannelCost, Touchpoint, TouchpointStatus

COSTS: dict[str, tuple[str, str]] = {
    "phone": ("6.00", "1.50"),
    "email": ("0.50", "0"),
    "sms": ("0.05", "0"),
    "webchat": ("2.00", "0.80"),
    "webform": ("0.30", "0"),
    "wechat": ("0.10", "0"),
    "face": ("30.00", "2.00"),
    "postal": ("8.00", "0"),
    "fax": ("2.00", "0"),
}

# code, name (zh), channel, department, cost, status
TOUCHPOINTS: list[tuple[str, str, str, str, str, str]] = [
    ("hotline-400", "400 客服热线", "phone", "客户服务部", "0", "current"),
    ("outbound-call", "外呼回访", "phone", "客户服务部", "0", "current"),
    ("service-mailbox", "客服邮箱", "email", "客户服务部", "0", "current"),
    ("edm", "电子邮件营销", "email", "市场部", "0.10", "current"),
    ("sms-platform", "短信平台", "sms", "市场部", "0", "current"),
    ("web-chat", "官网在线客服", "webchat", "客户服务部", "0", "current"),
    ("web-form", "官网留言表单", "webform", "客户服务部", "0", "current"),
    ("wechat-oa", "微信公众号", "wechat", "市场部", "0", "current"),
    ("store-counter", "门店柜台", "face", "零售部", "0", "current"),
    ("sales-visit", "销售拜访", "face", "销售部", "0", "current"),
    ("postal-mail", "邮寄信函", "postal", "市场部", "0", "current"),
    ("fax", "传真", "fax", "销售部", "0", "current"),
    ("self-service-kiosk", "自助服务终端", "webform", "客户服务部", "0.50", "potential"),
    ("mobile-app", "手机应用", "webchat", "电子商务部", "1.00", "potential"),
]


def seed() -> None:
    """Add what is missing; never overwrite what the company has edited."""
    for channel, (per_contact, per_minute) in COSTS.items():
        ChannelCost.objects.get_or_create(
            channel=channel,
            defaults={
                "cost_per_contact": Decimal(per_contact),
                "cost_per_minute": Decimal(per_minute),
            },
        )
    for code, name, channel, department, cost, status in TOUCHPOINTS:
        Touchpoint.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "channel": channel,
                "department": department,
                "cost_per_contact": Decimal(cost),
                "status": TouchpointStatus(status),
            },
        )
