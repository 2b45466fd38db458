"""Identifiers of the demo customers: phones, emails, WeChat ids, loyalty cards, ERP ids.

Every identifier is stored truthfully: ``normalized`` is exactly what
``hudong.customers.normalize.normalize(kind, value)`` makes of the raw ``value``, and the raw
value is written in the many styles people use ("138 0013 8000", "+86-138-0013-8000",
"0086 13800138000", "ZhangWei88@163.COM", "hd 1234 5678 90"). Unshared normalised values are
unique, as the database demands (unique on kind + normalized unless ``is_shared``).

So a planted duplicate never carries the *same* normalised phone or email as its original: in
a system that normalises on entry the second record would have been matched, not created.
Duplicates arise where the keys do not meet. The person's identifiers are split between the
two records (one record has the phone, the other the email, as when someone buys in a store and
later signs up online), or the duplicate brings a new email or loyalty card of its own; what
links the two is the name (identical, a homophone typo, pinyin instead of characters,
traditional characters, a company name without its legal suffix), the birth date and the
address. Household landlines are the opposite trap: ``is_shared`` numbers on two or three
different people who are not duplicates.

Numbers are derived from the customer id with a fixed bijection, so they stay unique across
repeated loads into the same database and are identical for identical ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hudong.demo.bulk import Timestamps
from hudong.demo.names import words
from hudong.demo.places import CITIES, landline_raw
from hudong.demo.population import DAY, People, Timeline
from hudong.demo.profile import Batch, verified

MOBILE_PREFIXES = words(
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 176 177 180 "
    "181 182 185 186 187 188 189 199"
)
MIX = 2654435761  # coprime to 2, 3 and 5: (code * MIX + salt) mod 10^k or 30*10^8 is a bijection
SALT = 7_919_127
PERSON_DOMAINS = (
    [
        "163.com",
        "126.com",
        "qq.com",
        "sina.com",
        "gmail.com",
        "outlook.com",
        "foxmail.com",
        "hotmail.com",
        "139.com",
    ],
    [0.2, 0.1, 0.25, 0.05, 0.1, 0.12, 0.08, 0.05, 0.05],
)


def mobile(codes: np.ndarray) -> list[str]:
    """Eleven-digit Chinese mobile numbers, one per distinct code."""
    x = (codes.astype(np.int64) * MIX + SALT) % (len(MOBILE_PREFIXES) * 10**8)
    prefix, rest = x // 10**8, x % 10**8
    return [
        f"{MOBILE_PREFIXES[p]}{r:08d}" for p, r in zip(prefix.tolist(), rest.tolist(), strict=True)
    ]


def mobile_raw(digits: str, style: int) -> str:
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return (
        digits,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"+86 {a} {b} {c}",
        f"+86{digits}",
        f"0086 {digits}",
        f"+86-{a}-{b}-{c}",
        digits,
    )[style]


def _mix(codes: np.ndarray, modulus: int) -> np.ndarray:
    return (codes.astype(np.int64) * MIX + SALT) % modulus


def identifiers(rng: np.random.Generator, p: People, tl: Timeline) -> dict[str, Any]:
    b = Batch()
    n, n_real = p.n, p.n_real
    real = np.arange(n) < n_real
    person = ~p.is_org
    dup = p.dup_row  # original row -> duplicate row
    has_dup = dup >= 0
    # A person with a duplicate has a phone and an email, and they split: the email goes to
    # the duplicate (cross-channel and half of the others) or the phone does. A duplicate that
    # gets nothing moved (organizations) gets a new email of its own.
    kind_of = {
        int(o): p.dup_kind[int(d)]
        for o, d in zip(np.flatnonzero(has_dup), dup[has_dup], strict=True)
    }
    phone_to_dup = np.zeros(n, dtype=bool)
    for o, kind in kind_of.items():
        phone_to_dup[o] = kind not in ("cross_channel", "org_variant") and rng.random() < 0.5

    def owner(rows: np.ndarray, moved: np.ndarray) -> np.ndarray:
        return np.where(moved & has_dup[rows], dup[rows], rows)

    covered: set[int] = set()  # rows that got a phone or an email

    # mobile phones: 92% of people (98% of contacts), 8% a second one
    split = has_dup & person
    has_phone = real & person & (rng.random(n) < np.where(p.is_contact, 0.98, 0.92)) | split
    second = has_phone & (rng.random(n) < 0.08)
    for slot, mask in ((0, has_phone), (1, second)):
        rows = np.flatnonzero(mask)
        digits = mobile(p.id[rows] * 2 + slot)
        styles = rng.choice(8, size=len(rows), p=[0.35, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05])
        to = owner(rows, phone_to_dup[rows])
        covered.update(to.tolist())
        b.add(
            row=to,
            kind="phone",
            value=[mobile_raw(d, s) for d, s in zip(digits, styles, strict=True)],
            normalized=["+86" + d for d in digits],
            is_shared=False,
            is_primary=slot == 0,
            source=p.source[to],
            created=p.created[to] + np.timedelta64(slot * 90 * DAY, "s"),
            verified=verified(rng, p.created[to], tl, 0.6),
        )

    # emails: the person's own (moved to the duplicate unless the phone was), or a new one
    email_share = np.where(p.is_org, 0.7, np.where(p.is_contact, 0.85, 0.55))
    has_email = real & (rng.random(n) < email_share) | split
    rows = np.flatnonzero(has_email)
    to = owner(rows, ~phone_to_dup[rows])
    _emails(b, rng, p, rows, to, p.id[rows] * 2, tl)
    covered.update(to.tolist())
    lonely = [d for d in range(n_real, n) if d not in covered]
    if lonely:
        rows = np.array(lonely, dtype=np.int64)
        _emails(b, rng, p, rows, rows, p.id[rows] * 2 + 1, tl)

    # WeChat ids, loyalty cards, ERP ids: stay with the original
    has_wechat = real & person & (rng.random(n) < np.where(p.english, 0.1, 0.3))
    rows = np.flatnonzero(has_wechat)
    wxid = rng.random(len(rows)) < 0.5
    codes = _mix(p.id[rows], 36**10).tolist()
    values = [
        f"wxid_{_base36(c)}" if s else f"{_letters(p.name_latin[r], 0)}_{p.id[r]}"
        for r, c, s in zip(rows.tolist(), codes, wxid.tolist(), strict=True)
    ]
    upper = rng.random(len(rows)) < 0.2
    b.add(
        row=rows,
        kind="wechat",
        value=[v.upper() if u else v for v, u in zip(values, upper, strict=True)],
        normalized=[v.lower() for v in values],
        is_shared=False,
        is_primary=False,
        source="wechat",
        created=p.created[rows],
        verified=verified(rng, p.created[rows], tl, 0.4),
    )

    new_card = ~real & (rng.random(n) < 0.25)
    has_card = (real & person & (rng.random(n) < 0.4)) | new_card
    rows = np.flatnonzero(has_card)
    numbers = [f"{c:010d}" for c in _mix(p.id[rows], 10**10).tolist()]
    styles = rng.integers(0, 3, len(rows)).tolist()
    b.add(
        row=rows,
        kind="loyalty",
        normalized=["HD" + d for d in numbers],
        value=[
            ("HD" + d, f"hd {d[:4]} {d[4:8]} {d[8:]}", f"HD-{d[:5]}-{d[5:]}")[s]
            for d, s in zip(numbers, styles, strict=True)
        ],
        is_shared=False,
        is_primary=False,
        source="store",
        created=p.created[rows],
        verified=verified(rng, p.created[rows], tl, 0.3),
    )

    has_erp = real & (p.is_org | (rng.random(n) < 0.15))
    rows = np.flatnonzero(has_erp)
    letter = np.where(p.is_org[rows], "B", "C")
    codes = [f"{c}{i:08d}" for c, i in zip(letter.tolist(), p.id[rows].tolist(), strict=True)]
    dash = rng.random(len(rows)) < 0.3
    b.add(
        row=rows,
        kind="erp",
        normalized=codes,
        value=[
            f"{c[0].lower()}-{c[1:]}" if d else c for c, d in zip(codes, dash.tolist(), strict=True)
        ],
        is_shared=False,
        is_primary=False,
        source="erp",
        created=p.created[rows],
        verified=p.created[rows],
    )

    # landlines: company switchboards (82-89xxxxxx, unique), household phones (62-69xxxxxx, shared)
    rows = np.flatnonzero(real & p.is_org & (rng.random(n) < 0.9))
    _landlines(b, rng, p, rows, 82_000_000 + _mix(p.id[rows], 8 * 10**6), shared=False, tl=tl)
    rows = np.flatnonzero(p.household >= 0)
    heads: dict[int, int] = {}
    for r in rows.tolist():
        heads.setdefault(int(p.household[r]), int(p.id[r]))
    head_id = np.array([heads[int(p.household[r])] for r in rows.tolist()], dtype=np.int64)
    _landlines(b, rng, p, rows, 62_000_000 + _mix(head_id, 8 * 10**6), shared=True, tl=tl)

    cols = b.columns(p)
    return {
        "kind": cols["kind"],
        "value": cols["value"],
        "normalized": cols["normalized"],
        "is_shared": cols["is_shared"],
        "is_primary": cols["is_primary"],
        "source": cols["source"],
        "verified_at": Timestamps(cols["verified"]),
        "created_at": Timestamps(cols["created"]),
        "customer_id": cols["customer_id"],
    }


def _letters(latin: str, style: int) -> str:
    parts = "".join(c if c.isalpha() else " " for c in latin.lower()).split()
    if not parts:
        return "user"
    if style == 1 and len(parts) > 1:
        return ".".join(parts)
    if style == 2 and len(parts) > 1:
        return parts[0][0] + parts[-1]
    return "".join(parts)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(10):
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out


def _emails(b, rng, p, rows, to, codes, tl) -> None:  # type: ignore[no-untyped-def]
    m = len(rows)
    domain = rng.choice(len(PERSON_DOMAINS[0]), size=m, p=PERSON_DOMAINS[1])
    style = rng.integers(0, 3, m)
    case = rng.choice(4, size=m, p=[0.7, 0.15, 0.1, 0.05])
    normalized, values = [], []
    for k, (r, code) in enumerate(zip(rows.tolist(), codes.tolist(), strict=True)):
        latin = p.name_latin[r]
        if p.is_org[r]:
            slug = "".join(w[0] for w in _letters(latin, 1).split(".")) or "co"
            local, dom = ("info", "sales", "service")[k % 3], f"{slug}{code}.com.cn"
        elif p.is_contact[r]:
            org = int(p.org_row[r])
            slug = "".join(w[0] for w in _letters(p.name_latin[org], 1).split(".")) or "co"
            local, dom = f"{_letters(latin, style[k])}{code}", f"{slug}{p.id[org] * 2}.com.cn"
        else:
            dom = PERSON_DOMAINS[0][domain[k]]
            if dom == "qq.com" and style[k] != 1:
                local = str(100_000 + int(_mix(np.array([code]), 10**9)[0]))
            else:
                local = f"{_letters(latin, style[k])}{code}"
        text = f"{local}@{dom}"
        normalized.append(text)
        values.append(
            (text, local.capitalize() + "@" + dom, f"{local}@{dom.upper()}", text.upper())[case[k]]
        )
    b.add(
        row=to,
        kind="email",
        value=values,
        normalized=normalized,
        is_shared=False,
        is_primary=True,
        source=p.source[to],
        created=p.created[to],
        verified=verified(rng, p.created[to], tl, 0.5),
    )


def _landlines(b, rng, p, rows, local, shared, tl) -> None:  # type: ignore[no-untyped-def]
    cities = p.city[rows].tolist()
    styles = rng.integers(0, 4, len(rows)).tolist()
    loc = local.tolist()
    b.add(
        row=rows,
        kind="phone",
        is_shared=shared,
        is_primary=False,
        value=[landline_raw(s, c, x) for s, c, x in zip(styles, cities, loc, strict=True)],
        normalized=[f"+86{CITIES[c].area_code}{x}" for c, x in zip(cities, loc, strict=True)],
        source=p.source[rows],
        created=p.created[rows],
        verified=verified(rng, p.created[rows], tl, 0.4),
    )
