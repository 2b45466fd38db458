"""Addresses and attributes of the demo customers, and the column-wise row batches that
:mod:`hudong.demo.identifiers` shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from hudong.demo.bulk import Timestamps
from hudong.demo.places import CITIES, streets
from hudong.demo.population import People, Timeline


class Batch:
    """Rows of one table, collected column-wise from several generators."""

    def __init__(self) -> None:
        self.parts: list[dict[str, Any]] = []

    def add(self, **cols: Any) -> None:
        n = len(cols["row"])
        if n:
            self.parts.append({k: v if not np.isscalar(v) else [v] * n for k, v in cols.items()})

    def columns(self, people: People) -> dict[str, Any]:
        """Concatenated, sorted by customer id; ``row`` becomes ``customer_id``."""
        if not self.parts:
            return {}
        out: dict[str, Any] = {}
        for key in self.parts[0]:
            values = [part[key] for part in self.parts]
            if all(isinstance(v, np.ndarray) for v in values):
                out[key] = np.concatenate(values)
            else:
                out[key] = [x for v in values for x in (v.tolist() if hasattr(v, "tolist") else v)]
        customer = people.id[np.asarray(out.pop("row"), dtype=np.int64)]
        order = np.argsort(customer, kind="stable")
        sorted_out: dict[str, Any] = {"customer_id": customer[order]}
        for key, col in out.items():
            if isinstance(col, list):
                sorted_out[key] = [col[i] for i in order.tolist()]
            else:
                sorted_out[key] = col[order]
        return sorted_out


def verified(rng: np.random.Generator, created: np.ndarray, tl: Timeline, share: float):  # type: ignore[no-untyped-def]
    """Last verified somewhere between creation and now (spread over three years), or never."""
    c = tl.days(created)
    days = c + rng.random(len(c)) * np.maximum(tl.end_days - c, 0)
    return np.where(rng.random(len(c)) < share, tl.ts(days), np.datetime64("NaT", "s"))


# How a duplicate writes the address it shares with its original: the same, with full-width
# digits (a phone keyboard), with the traditional 號, with the district written into the street
# line instead of its own field, or with the district left out (a web form without that field).
ADDRESS_STYLES = (["same", "full_width", "trad_hao", "district_in_street", "no_district"],
                  [0.5, 0.15, 0.1, 0.15, 0.1])  # fmt: skip
ORG_STREET_SHARE = 0.6  # an organization's duplicate has its street; the others only its city
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def shared_address(rng: np.random.Generator, p: People) -> np.ndarray:
    """Which duplicate rows carry the original's address.

    A duplicate that arrives through a second channel always shares a corroborating fact with
    its original beyond the name: the web shop ships to the same home, the loyalty card was
    opened with the same birthday. So a person's duplicate that did not keep the birth date
    (see :func:`hudong.demo.duplicates.plant_duplicates`) shares the home address, and one that
    kept it shares the address one time in six (10% of all with both, as in real data where the
    two facts are independent of each other but rarely both missing). An organization's
    duplicate always keeps its work address or at least its city.
    """
    dup = p.dup_of >= 0
    kept_birth = dup & ~np.isnat(p.birth)
    return dup & (p.is_org | ~kept_birth | (rng.random(p.n) < 1 / 6))


def written_differently(style: str, street: str, district: str) -> tuple[str, str]:
    """(street, district) of an address as a second record writes it (see ADDRESS_STYLES)."""
    if style == "full_width":
        return street.translate(_FULL_WIDTH), district
    if style == "trad_hao":
        return street.replace("号", "號"), district
    if style == "district_in_street":
        return district + street, ""
    if style == "no_district":
        return street, ""
    return street, district


def addresses(rng: np.random.Generator, p: People, tl: Timeline) -> dict[str, Any]:
    n = p.n
    district = rng.integers(0, 1000, n)
    street = streets(rng, n)
    postal = rng.integers(0, 1000, n)
    # households live together; a duplicate that shares the original's address copies it
    heads: dict[int, int] = {}
    for r in np.flatnonzero(p.household >= 0).tolist():
        head = heads.setdefault(int(p.household[r]), r)
        district[r], street[r], postal[r] = district[head], street[head], postal[head]
    share = shared_address(rng, p)
    for d in np.flatnonzero(share).tolist():
        o = int(p.dup_of[d])
        district[d], street[d], postal[d] = district[o], street[o], postal[o]
    real = np.arange(n) < p.n_real
    person = ~p.is_org & ~p.is_contact
    share_home = share & ~p.is_org
    # an original whose duplicate ships to its home has that home address on record too
    home = (person & real & (rng.random(n) < 0.88)) | share_home
    home[p.dup_of[share_home]] = True
    home |= p.household >= 0
    shipping = person & real & (rng.random(n) < 0.15)
    work = p.is_org & (real | share)
    city_only = share & p.is_org & (rng.random(n) >= ORG_STREET_SHARE)
    billing = p.is_org & real & (rng.random(n) < 0.4)
    style = np.array(ADDRESS_STYLES[0])[rng.choice(5, size=n, p=ADDRESS_STYLES[1])]
    style[~share] = "same"
    b = Batch()
    alt = rng.integers(0, 1000, n)
    alt_street = streets(rng, n)
    kinds = (
        ("home", home, True),
        ("work", work, True),
        ("shipping", shipping, False),
        ("billing", billing, False),
    )
    for kind, mask, default in kinds:
        rows = np.flatnonzero(mask)
        other = kind == "shipping"
        cities = [CITIES[c] for c in p.city[rows].tolist()]
        dist = [
            c.districts[d % len(c.districts)]
            for c, d in zip(cities, (alt if other else district)[rows].tolist(), strict=True)
        ]
        st = [(alt_street if other else street)[r] for r in rows.tolist()]
        if not other:
            written = [
                ("", "") if city_only[r] else written_differently(style[r], s, d)
                for r, s, d in zip(rows.tolist(), st, dist, strict=True)
            ]
            st, dist = [w[0] for w in written], [w[1] for w in written]
        b.add(
            row=rows,
            kind=kind,
            country="CN",
            province=[c.province for c in cities],
            city=[c.city for c in cities],
            district=dist,
            street=st,
            postal_code=[f"{c.postal}{x:03d}" for c, x in zip(cities, postal[rows], strict=True)],
            is_default=default,
            source=p.source[rows],
            verified=verified(rng, p.created[rows], tl, 0.5),
        )
    cols = b.columns(p)
    cols["verified_at"] = Timestamps(cols.pop("verified"))
    return cols


# key, category, Chinese values, English values, share of people who have it
ATTRIBUTES = [
    (
        "preferred_contact_time",
        "habit",
        "上午 下午 晚上 周末",
        "Morning|Afternoon|Evening|Weekend",
        0.35,
    ),
    ("preferred_channel", "preference", "电话 短信 邮件 微信", "Phone|SMS|Email|WeChat", 0.4),
    (
        "payment_method",
        "habit",
        "支付宝 微信支付 银行卡 货到付款",
        "Alipay|WeChat Pay|Bank card|Cash on delivery",
        0.3,
    ),
    (
        "shopping_habit",
        "habit",
        "线上为主 门店为主 线上线下都有",
        "Mostly online|Mostly in store|Both",
        0.2,
    ),
    (
        "hobby",
        "hobby",
        "摄影 跑步 烹饪 旅游 阅读 钓鱼 瑜伽 登山 书法 茶艺",
        "Photography|Running|Cooking|Travel|Reading|Fishing|Yoga|Hiking|Calligraphy|Tea",
        0.3,
    ),
    (
        "sport",
        "hobby",
        "羽毛球 乒乓球 篮球 游泳 足球 网球",
        "Badminton|Table tennis|Basketball|Swimming|Football|Tennis",
        0.15,
    ),
    (
        "favourite_brand",
        "preference",
        "华为 小米 Apple 耐克 优衣库 兰蔻",
        "Huawei|Xiaomi|Apple|Nike|Uniqlo|Lancome",
        0.15,
    ),
    ("clothing_size", "preference", "S M L XL XXL", "S|M|L|XL|XXL", 0.15),
    ("gift_wrap", "preference", "需要 不需要", "Yes|No", 0.05),
]
ORG_ATTRIBUTES = [
    ("payment_terms", "preference", "月结30天 月结60天", "Net 30|Net 60", 0.6),
    (
        "delivery_window",
        "habit",
        "工作日上午 工作日下午",
        "Weekday mornings|Weekday afternoons",
        0.3,
    ),
]
ATTRIBUTE_SOURCES = np.array(["agent", "survey", "webshop", "import", "wechat"])


def attributes(rng: np.random.Generator, p: People, tl: Timeline) -> dict[str, Any]:
    n = p.n
    real = np.arange(n) < p.n_real
    b = Batch()
    for table, eligible in ((ATTRIBUTES, real & ~p.is_org), (ORG_ATTRIBUTES, real & p.is_org)):
        for key, category, zh, en, share in table:
            rows = np.flatnonzero(eligible & (rng.random(n) < share))
            zh_values, en_values = zh.split(" "), en.split("|")
            pick = rng.integers(0, len(zh_values), len(rows)).tolist()
            values = [
                (en_values if p.english[r] else zh_values)[k]
                for r, k in zip(rows.tolist(), pick, strict=True)
            ]
            # verified somewhere in the last three years: the old ones are stale
            verified = tl.ts(rng.random(len(rows)) * tl.end_days)
            verified = np.maximum(verified, p.created[rows])
            b.add(
                row=rows,
                category=category,
                key=key,
                value=values,
                source=ATTRIBUTE_SOURCES[rng.integers(0, 5, len(rows))],
                verified=verified,
            )
    cols = b.columns(p)
    cols["verified_at"] = Timestamps(cols.pop("verified"))
    return cols
