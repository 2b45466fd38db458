"""The columns of a customer or organization file, and one row checked and normalised.

Every problem of a row is reported (a row may have several); a row with any problem is left
out whole, so a customer never lands half-imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.imports import fields as f
from hudong.customers.imports.base import Context
from hudong.customers.imports.errors import RowProblem
from hudong.customers.imports.fields import Column
from hudong.customers.imports.namekeys import name_keys
from hudong.customers.imports.readers import Row

COLUMNS: tuple[Column, ...] = (
    Column("external_id", ("erp_id", "erp", "id", "外部编号", "客户编号", "erp编号", "编号"), True),
    Column("name", ("姓名", "名称", "客户名称", "客户姓名", "公司名称"), True),
    Column("name_latin", ("拼音", "英文名", "name_en")),
    Column("phone", ("phones", "mobile", "tel", "手机", "电话", "手机号", "手机号码", "联系电话")),
    Column("email", ("emails", "e_mail", "邮箱", "电子邮件", "电子邮箱", "邮件")),
    Column("wechat", ("微信", "微信号")),
    Column("loyalty", ("card", "会员卡号", "会员卡")),
    Column("region", ("区域", "地区", "大区")),
    Column("gender", ("sex", "性别")),
    Column("birth_date", ("birthday", "生日", "出生日期")),
    Column("organization", ("company", "公司", "所属公司", "组织", "单位")),
    Column("job_title", ("title", "职位", "职务")),
    Column("industry", ("行业",)),
    Column("credit_limit", ("信用额度",)),
    Column("currency", ("币种", "货币")),
    Column("language", ("语言",)),
    Column("target_account", ("is_target_account", "重点客户")),
    Column("province", ("省", "省份")),
    Column("city", ("市", "城市")),
    Column("district", ("区", "区县", "县")),
    Column("street", ("address", "地址", "街道", "详细地址")),
    Column("postal_code", ("zip", "邮编", "邮政编码")),
)
LIMITS = {
    "external_id": 200, "name": 200, "name_latin": 200, "phone": 400, "email": 400,
    "wechat": 200, "loyalty": 200, "region": 32, "organization": 200, "job_title": 100,
    "industry": 100, "currency": 3, "language": 10, "province": 50, "city": 50,
    "district": 50, "street": 200, "postal_code": 12,
}  # fmt: skip
# Fields a file may fill on an existing customer when the customer has none (never overwrite).
FILL_FIELDS = ("name_latin", "gender", "birth_date", "job_title", "industry", "credit_limit")
ADDRESS_FIELDS = ("province", "city", "district", "street", "postal_code")
LANGUAGES = {"zh-hans": "zh-hans", "zh": "zh-hans", "中文": "zh-hans", "en": "en", "英文": "en"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass
class Parsed:
    """A checked row: its identifiers normalised, the customer's fields, where it belongs."""

    row: Row
    kind: str
    external: tuple[str, str]  # ("erp", key)
    identifiers: list[tuple[str, str, str]]  # (kind, as written, key), external id first
    fields: dict[str, Any]  # non-blank fields of the customer
    region: str
    organization: str  # the organization's external id key, or ""
    address: tuple[str, ...] | None
    keys: list[tuple[str, str]] = field(init=False)  # (kind, key) of each identifier

    def __post_init__(self) -> None:
        # Kept, not derived on each use: resolution asks for them several times per row.
        self.keys = [(kind, key) for kind, _raw, key in self.identifiers]


def _text_problems(row: Row, values: dict[str, str], ctx: Context) -> bool:
    if not _CONTROL.search("".join(values.values())) and all(
        len(value) <= LIMITS.get(name, 200) for name, value in values.items()
    ):
        return False  # the usual row: one search over all its text instead of one per cell
    bad = False
    for name, value in values.items():
        if len(value) > LIMITS.get(name, 200):
            ctx.bad(row, name, "imports.too_long", _("The value is too long."))
            bad = True
        elif _CONTROL.search(value):
            ctx.bad(row, name, "imports.text_invalid", _("The value has control characters."))
            bad = True
    return bad


def _identifiers(values: dict[str, str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for kind in ("phone", "email"):
        for raw in f.split_multi(values.get(kind, "")):
            found.append((kind, raw, f.identifier_key(kind, raw, kind)))
    for kind in ("wechat", "loyalty"):
        raw = values.get(kind, "")
        if raw:
            found.append((kind, raw, f.identifier_key(kind, raw, kind)))
    return found


def _fields(values: dict[str, str], kind: str) -> dict[str, Any]:
    name = values["name"]
    key, spelled = name_keys(name, values.get("name_latin", ""))
    out: dict[str, Any] = {"kind": kind, "name": name, "name_key": key, "name_pinyin": spelled}
    for plain in ("name_latin", "job_title", "industry"):
        if values.get(plain):
            out[plain] = values[plain]
    if values.get("gender"):
        out["gender"] = f.parse_gender(values["gender"])
    if values.get("birth_date"):
        out["birth_date"] = f.parse_date(values["birth_date"], "birth_date")
    if values.get("credit_limit"):
        out["credit_limit"] = f.parse_decimal(values["credit_limit"], "credit_limit")
    if values.get("currency"):
        out["currency"] = values["currency"].upper()
    if values.get("language"):
        language = LANGUAGES.get(values["language"].lower())
        if language is None:
            raise RowProblem("language", "imports.choice_invalid", _("Not one of the choices."))
        out["language"] = language
    if values.get("target_account"):
        out["is_target_account"] = f.parse_bool(values["target_account"], "target_account")
    return out


def parse(row: Row, values: dict[str, str], kind: str, ctx: Context) -> Parsed | None:
    """The row checked, or None with every problem reported."""
    if _text_problems(row, values, ctx):
        return None
    if not values.get("name"):
        ctx.bad(row, "name", "imports.required", _("This field is required."))
    if not values.get("external_id"):
        ctx.bad(row, "external_id", "imports.required", _("This field is required."))
    problems = 0
    parts: dict[str, Any] = {}
    for step, call in (
        ("external", lambda: _external(values)),
        ("identifiers", lambda: _identifiers(values)),
        ("fields", lambda: _fields(values, kind)),
        ("organization", lambda: _organization(values)),
    ):
        try:
            parts[step] = call()
        except RowProblem as problem:
            ctx.bad(row, problem.field, problem.code, problem.message)
            problems += 1
    if problems or not values.get("name") or not values.get("external_id"):
        return None
    external = ("erp", parts["external"])
    address = tuple(values.get(a, "") for a in ADDRESS_FIELDS)
    return Parsed(
        row=row,
        kind=kind,
        external=external,
        identifiers=[("erp", values["external_id"], external[1]), *parts["identifiers"]],
        fields=parts["fields"],
        region=values.get("region", "") or ctx.region,
        organization=parts["organization"],
        address=address if any(address) else None,
    )


def _external(values: dict[str, str]) -> str:
    raw = values.get("external_id", "")
    return f.identifier_key("erp", raw, "external_id") if raw else ""


def _organization(values: dict[str, str]) -> str:
    raw = values.get("organization", "")
    return f.identifier_key("erp", raw, "organization") if raw else ""
