"""Planted duplicates and look-alikes that are not duplicates, with the truth about both.

About 4% of the customers get a second record, made the way duplicates really arise:

- ``cross_channel``: the same name twice; the store record has the phone, the web-shop record
  the email;
- ``typo``: a homophone typed with a pinyin input method (张伟 / 张玮, same pinyin), or one
  keyboard slip in a Latin name;
- ``pinyin``: characters on one record, pinyin on the other (张伟 / Zhang Wei / Wei Zhang /
  ZHANG WEI);
- ``traditional``: traditional characters (张伟 / 張偉, converted with OpenCC ``s2t``);
- ``org_variant``: a company without its legal suffix, or with the city moved
  (上海华盛贸易有限公司 / 华盛贸易(上海)有限公司).

A duplicate always shares at least one corroborating fact with its original beyond the name,
as a real second-channel record does (the web shop ships to the same home, the loyalty card was
opened with the same birthday): a person's duplicate keeps the birth date (60%, where the
original has one) or the home address, written the same or slightly differently (always when
the birth date is not kept, else one time in six; see
:func:`hudong.demo.profile.shared_address`); a company's duplicate keeps its work address or
at least its city. A name alone would be no evidence at all: among 100,000 customers the
commonest names occur a hundred times. The duplicate takes over half of the person's orders
after it was created, and never holds the same normalised identifier as the original (see
:mod:`hudong.demo.identifiers` for why and how identifiers are split).

Households are the opposite trap: two or three different people (half of them with the same
surname) who share a home address and a landline (``is_shared``). They are written to the truth
file as ``household_not_duplicate``.
"""

from __future__ import annotations

import numpy as np
import opencc

from hudong.demo import names as nm
from hudong.demo.population import People, Timeline

DUP_KINDS_CN = (["cross_channel", "typo", "pinyin", "traditional"], [0.3, 0.25, 0.25, 0.2])
DUP_KINDS_EN = (["cross_channel", "typo"], [0.5, 0.5])
HOUSEHOLD = "household_not_duplicate"


def count(n_total: int) -> int:
    """How many of ``n_total`` customer rows are planted duplicates (4%)."""
    return int(round(n_total * 0.04)) if n_total >= 50 else 0


def plant_households(rng: np.random.Generator, p: People) -> None:
    """Group ~2.5% of the Chinese-named people (not contacts) into households of 2-3 that share
    region and city (and, later, a home address and a landline).

    A second member keeps their own given name; half of them take the first member's surname
    (children, siblings), the others keep theirs (spouses keep their surname in China).
    """
    pool = np.flatnonzero(~p.is_contact & ~p.english & ~p.is_org)
    pool = rng.permutation(pool)[: int(len(pool) * 0.025)]
    sizes = rng.choice([2, 3], size=len(pool) // 2 + 1, p=[0.7, 0.3])
    pos = 0
    for number, size in enumerate(sizes.tolist()):
        members = pool[pos : pos + size]
        if len(members) < 2:
            break
        pos += size
        head = int(members[0])
        p.household[head] = number
        for row in members[1:].tolist():
            p.household[row] = number
            p.region[row], p.city[row] = p.region[head], p.city[head]
            if rng.random() < 0.5 and p.surname[row] != p.surname[head]:
                given = p.name[row][len(p.surname[row]) :]
                p.name[row] = p.surname[head] + given
                p.name_latin[row] = nm.latin_person(p.surname[head], given)
                p.surname[row] = p.surname[head]
    p.truth.extend(_household_truth(p))


def _household_truth(p: People) -> list[tuple[int, int, str]]:
    out = []
    heads: dict[int, int] = {}
    for row in np.flatnonzero(p.household >= 0).tolist():
        number = int(p.household[row])
        if number in heads:
            out.append((row, heads[number], HOUSEHOLD))
        else:
            heads[number] = row
    return out


def plant_duplicates(rng: np.random.Generator, p: People, n_dup: int, tl: Timeline) -> People:
    """``p`` followed by one duplicate row for each of ``n_dup`` random real customers."""
    n_real = p.n
    o = np.sort(rng.choice(n_real, size=n_dup, replace=False)).astype(np.int64)
    s2t = opencc.OpenCC("s2t")
    tables = nm.NameTables()
    kinds: list[str] = []
    d_name, d_latin, d_lang = [], [], []
    for row in o.tolist():
        name, latin, surname = p.name[row], p.name_latin[row], p.surname[row]
        if p.is_org[row]:
            kind, new_name, new_latin = "org_variant", nm.org_variant(rng, name), latin
        else:
            table = DUP_KINDS_EN if p.english[row] else DUP_KINDS_CN
            kind = str(rng.choice(table[0], p=table[1]))
            new_name, new_latin = _variant(rng, kind, name, latin, surname, s2t, tables)
            if not new_name:
                kind, new_name, new_latin = "pinyin", latin, latin
            if kind == "pinyin" and rng.random() < 0.3:
                new_name = new_latin = nm.western_order(latin)
            elif kind == "pinyin" and rng.random() < 0.3:
                new_name = new_latin = latin.upper()
        kinds.append(kind)
        d_name.append(new_name)
        d_latin.append(new_latin)
        d_lang.append({"pinyin": "en", "traditional": "zh-hant"}.get(kind, p.language[row]))

    created = tl.days(p.created[o])
    later = created + 1 + rng.random(n_dup) * np.maximum(tl.end_days - created - 2, 0)
    keep_birth = rng.random(n_dup) < 0.6  # the others share the home address (profile.py)
    zeros = np.zeros(n_dup)
    out = p.append(
        is_org=p.is_org[o],
        is_contact=p.is_contact[o],
        english=p.english[o],
        region=p.region[o],
        city=p.city[o],
        name=d_name,
        name_latin=d_latin,
        surname=[p.surname[r] for r in o.tolist()],
        gender=p.gender[o],
        birth=np.where(keep_birth, p.birth[o], np.datetime64("NaT", "D")),
        language=d_lang,
        org_row=p.org_row[o],
        job_title=[p.job_title[r] for r in o.tolist()],
        industry=[p.industry[r] for r in o.tolist()],
        credit_cents=zeros.astype(np.int64),
        source=np.where(p.source[o] == "webshop", "store", "webshop"),
        target=zeros.astype(bool),
        created=tl.ts(np.minimum(later, tl.end_days - 0.5)),
        owner=zeros.astype(np.int64),
        household=np.full(n_dup, -1, dtype=np.int64),
        dup_of=o,
        dup_row=np.full(n_dup, -1, dtype=np.int64),
        dup_kind=kinds,
        buyer=zeros.astype(bool),  # their orders are taken over from the original
        lam=zeros,
        p_drop=zeros + 1,
        nu=zeros + 1,
        t_first=zeros,
        pay_risk=p.pay_risk[o],
        terms_days=p.terms_days[o],
    )
    out.dup_row[o] = n_real + np.arange(n_dup)
    out.truth.extend((n_real + k, int(r), kinds[k]) for k, r in enumerate(o.tolist()))
    return out


def _variant(rng, kind, name, latin, surname, s2t, tables) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    if kind == "cross_channel":
        return name, latin
    if kind == "typo":
        if surname:  # Chinese name: same pinyin, other character
            return nm.homophone_typo(rng, name, surname, tables), latin
        typo = nm.latin_typo(rng, name)
        return typo, typo
    if kind == "traditional":
        converted = s2t.convert(name)
        return (converted, latin) if converted != name else ("", "")
    return latin, latin  # pinyin
