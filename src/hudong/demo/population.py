"""Who the demo customers are: people and organizations, their contacts, and the hidden
buying behaviour that the order generator plays out.

Rows live in a "row space" first: the real customers (organizations, then persons), then the
planted duplicates (:mod:`hudong.demo.duplicates`). Ids are given at the end, in order of
``created_at``, so that ids grow with time as they do in a real database.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from hudong.demo import names as nm
from hudong.demo.places import pick_cities

DAY = 86400
REGION_WEIGHTS = {"east": 0.45, "south": 0.25, "north": 0.20, "west": 0.10}
PERSON_SOURCES = (
    ["store", "webshop", "app", "wechat", "callcenter", "import"],
    [0.30, 0.30, 0.15, 0.12, 0.08, 0.05],
)
ORG_SOURCES = (["sales", "exhibition", "referral", "import"], [0.4, 0.2, 0.2, 0.2])


@dataclass
class Timeline:
    """The observation window: three years ending just before ``as_of`` ("now")."""

    as_of: np.datetime64
    years: float = 3.0

    def __post_init__(self) -> None:
        self.start = self.as_of - np.timedelta64(int(self.years * 365 * DAY), "s")
        self.end_days = (self.as_of - self.start) / np.timedelta64(1, "D") - 0.25

    def ts(self, days: np.ndarray) -> np.ndarray:
        return self.start + (np.asarray(days) * DAY).astype("int64").astype("timedelta64[s]")

    def days(self, ts: np.ndarray) -> np.ndarray:
        return (ts - self.start) / np.timedelta64(1, "D")


@dataclass
class People:
    """Every customer row, column-wise, plus the truth about duplicates."""

    n_real: int
    id: np.ndarray
    is_org: np.ndarray
    is_contact: np.ndarray
    english: np.ndarray
    region: np.ndarray
    city: np.ndarray
    name: list[str]
    name_latin: list[str]
    surname: list[str]  # Chinese surname ("" for others)
    gender: np.ndarray
    birth: np.ndarray  # datetime64[D], NaT unknown
    language: list[str]
    org_row: np.ndarray  # row of the organization (-1)
    job_title: list[str]
    industry: list[str]
    credit_cents: np.ndarray
    source: np.ndarray
    target: np.ndarray
    created: np.ndarray  # datetime64[s]
    owner: np.ndarray  # user id (0: none)
    household: np.ndarray  # household number (-1)
    dup_of: np.ndarray  # for duplicate rows: the original's row (-1)
    dup_row: np.ndarray  # for originals: the duplicate's row (-1)
    dup_kind: list[str]
    # buying behaviour (BG/NBD + Gamma-Gamma), per row
    buyer: np.ndarray
    lam: np.ndarray  # purchases per day while alive
    p_drop: np.ndarray  # chance to drop out after each purchase
    nu: np.ndarray  # Gamma-Gamma rate: mean order value is P_SPEND / nu
    t_first: np.ndarray  # first purchase, days since the window start
    pay_risk: np.ndarray
    terms_days: np.ndarray
    truth: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.is_org)

    def append(self, **extra: np.ndarray | list) -> People:
        """These rows followed by ``extra`` rows (every per-row field must be given)."""
        values: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("n_real", "truth", "id"):
                continue
            mine, theirs = getattr(self, f.name), extra[f.name]
            values[f.name] = (
                mine + list(theirs) if isinstance(mine, list) else np.concatenate([mine, theirs])
            )
        return People(n_real=self.n_real, id=self.id, truth=list(self.truth), **values)


def plan_people(
    rng: np.random.Generator,
    n_real: int,
    region_codes: list[str],
    sales: list[tuple[int, int | None]],
    timeline: Timeline,
) -> People:
    """Draw ``n_real`` real customers. ``sales`` lists (user id, region index or None)."""
    n_org = int(round(n_real * 0.10))
    n_person = n_real - n_org
    is_org = np.zeros(n_real, dtype=bool)
    is_org[:n_org] = True

    w = np.array([REGION_WEIGHTS.get(c, 0.1) for c in region_codes])
    region = rng.choice(len(region_codes), size=n_real, p=w / w.sum())

    gender = np.where(is_org, "", rng.choice(["m", "f", ""], size=n_real, p=[0.47, 0.47, 0.06]))
    english = np.where(is_org, rng.random(n_real) < 0.12, rng.random(n_real) < 0.15)

    # organizations and their contacts
    org_row = np.full(n_real, -1, dtype=np.int64)
    target = np.zeros(n_real, dtype=bool)
    job = [""] * n_real
    if n_org:
        target[:n_org] = rng.random(n_org) < 0.05
        n_contacts = np.where(rng.random(n_org) < 0.4, rng.integers(1, 6, n_org), 0)
        n_contacts = np.where(target[:n_org], rng.integers(3, 6, n_org), n_contacts)
        budget = int(n_person * 0.3)
        n_contacts = _cap(n_contacts, budget)
        contacts = n_org + rng.permutation(n_person)[: int(n_contacts.sum())]
        org_row[contacts] = np.repeat(np.arange(n_org), n_contacts)
        region[contacts] = region[org_row[contacts]]
        titles = rng.integers(0, len(nm.JOB_TITLES_ZH), len(contacts))
        for k, row in enumerate(contacts.tolist()):
            pool = nm.JOB_TITLES_EN if english[row] else nm.JOB_TITLES_ZH
            job[row] = pool[titles[k]]
    is_contact = org_row >= 0

    # names
    tables = nm.NameTables()
    name: list[str] = [""] * n_real
    latin: list[str] = [""] * n_real
    surname: list[str] = [""] * n_real
    industry = [""] * n_real
    cn = np.flatnonzero(~is_org & ~english)
    en = np.flatnonzero(~is_org & english)
    c_name, c_latin, c_sur, _ = nm.chinese_people(rng, gender[cn], tables)
    for k, row in enumerate(cn.tolist()):
        name[row], latin[row], surname[row] = c_name[k], c_latin[k], c_sur[k]
    e_names = nm.english_people(rng, gender[en])
    for k, row in enumerate(en.tolist()):
        name[row] = latin[row] = e_names[k]
    o_name, o_latin, o_ind = nm.companies(rng, n_org, english[:n_org])
    name[:n_org], latin[:n_org], industry[:n_org] = o_name, o_latin, o_ind
    language = ["en" if english[i] else "zh-hans" for i in range(n_real)]

    city = pick_cities(rng, region, region_codes)

    age = rng.beta(2.2, 3.0, n_real) * 57 + 18
    has_birth = ~is_org & (rng.random(n_real) < 0.7)
    birth_days = timeline.as_of.astype("datetime64[D]") - (age * 365.25).astype("int64")
    birth = np.where(has_birth, birth_days, np.datetime64("NaT", "D"))

    created_days = rng.beta(1.3, 1.0, n_real) * (timeline.end_days - 1)
    src_p, src_o = PERSON_SOURCES, ORG_SOURCES
    source = np.where(
        is_org,
        rng.choice(src_o[0], size=n_real, p=src_o[1]),
        rng.choice(src_p[0], size=n_real, p=src_p[1]),
    )

    # behaviour: heterogeneous purchase rate, dropout and spend
    buyer = np.where(is_org, rng.random(n_real) < 0.95, rng.random(n_real) < 0.85)
    buyer &= ~is_contact | (rng.random(n_real) < 0.25)
    lam = rng.gamma(0.9, 1 / 0.9, n_real) / 45  # mean: one purchase per 45 days
    lam = lam * np.where(is_org, 1.6, 1.0) * np.where(is_contact, 0.5, 1.0)
    p_drop = rng.beta(1.1, 7.0, n_real)
    nu = rng.gamma(2.6, 1 / 0.55, n_real) / 100 / np.where(is_org, 6.0, 1.0)
    lag = np.where(rng.random(n_real) < 0.5, 0.0, rng.exponential(20.0, n_real))
    t_first = created_days + lag

    credit = np.zeros(n_real, dtype=np.int64)
    org_limit = np.exp(rng.normal(np.log(200_000), 1.0, n_real)).clip(20_000, 5_000_000)
    credit = np.where(is_org, (org_limit // 10_000) * 10_000 * 100, credit)
    person_credit = rng.random(n_real) < 0.10
    limits = rng.choice([2_000, 5_000, 10_000, 20_000], size=n_real) * 100
    credit = np.where(~is_org & person_credit, limits, credit).astype(np.int64)
    pay_risk = np.where(is_org | person_credit, rng.beta(1.0, 12.0, n_real), 0.0)
    terms = np.where(is_org, rng.choice([30, 60], size=n_real, p=[0.7, 0.3]), 30)

    owner = np.zeros(n_real, dtype=np.int64)
    for user_id, user_region in sales:
        mine = owner == 0
        if user_region is not None:
            mine &= region == user_region
        share = np.where(is_org, 0.8, np.where(is_contact, 0.5, 0.15))
        owner[mine & (rng.random(n_real) < share)] = user_id

    none = np.full(n_real, -1, dtype=np.int64)
    return People(
        n_real=n_real,
        id=np.zeros(0, dtype=np.int64),
        is_org=is_org,
        is_contact=is_contact,
        english=english,
        region=region,
        city=city,
        name=name,
        name_latin=latin,
        surname=surname,
        gender=gender,
        birth=birth,
        language=language,
        org_row=org_row,
        job_title=job,
        industry=industry,
        credit_cents=credit,
        source=source,
        target=target,
        created=timeline.ts(created_days),
        owner=owner,
        household=none,
        dup_of=none.copy(),
        dup_row=none.copy(),
        dup_kind=[""] * n_real,
        buyer=buyer,
        lam=lam,
        p_drop=p_drop,
        nu=nu,
        t_first=t_first,
        pay_risk=pay_risk,
        terms_days=terms,
    )


def _cap(counts: np.ndarray, budget: int) -> np.ndarray:
    total = int(counts.sum())
    if total <= budget:
        return counts
    keep = np.cumsum(counts) <= budget
    return np.where(keep, counts, 0)


def assign_ids(people: People, first_id: int) -> None:
    """Ids in order of creation (ties by row), starting at ``first_id``."""
    order = np.lexsort((np.arange(people.n), people.created))
    people.id = np.empty(people.n, dtype=np.int64)
    people.id[order] = first_id + np.arange(people.n)
