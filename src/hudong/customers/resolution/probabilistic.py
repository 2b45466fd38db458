"""Probabilistic identity resolution: a Splink (Fellegi-Sunter) model over customer records.

Deterministic resolution (:mod:`hudong.customers.resolution.ingest`) only meets records that
share a normalised identifier. Most real duplicates do not: the store record has the phone,
the web-shop record the email, and what links them is a name written in another script
(张伟 / 張偉 / Zhang Wei / Wei Zhang / a homophone typed with a pinyin input method), the birth
date and the address. This model weighs that evidence.

``score_pairs(records)`` is pure: an Arrow table of records in (one row per record, see
:data:`RECORD_COLUMNS`), an Arrow table of scored pairs out (``left_id < right_id``,
``probability``, ``match_weight`` and one ``mw_<comparison>`` weight column per comparison,
which :func:`evidence` turns into labelled evidence), so the same model runs on the database
(:mod:`hudong.customers.resolution.batch`) and on the FEBRL reference data.

Training follows the data, never the answers: u (how often two different people agree by
chance) by random sampling of record pairs, m (how often one person's two records agree) by
expectation-maximisation on blocked pairs, and the prior (how many pairs are duplicates) from
the EM session too. Below :attr:`Options.min_train_records` records there is too little data
to estimate anything, and the generic starting values written in this module are used as they
are (see :data:`PRIORS`).

Shared identifiers (household landlines, switchboards) are never passed in: the caller drops
them, so sharing one is no evidence at all, and a household of different people with one
landline and one address is told apart by names and birth dates.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from splink import Linker, SettingsCreator, block_on
from splink.internals.duckdb.database_api import DuckDBAPI

from hudong.customers.names import fold, has_cjk, latin_tokens, search_keys

log = logging.getLogger(__name__)

# One row per record. Only ``unique_id`` and ``name`` are required; a missing or all-empty
# column simply drops its comparison from the model.
RECORD_COLUMNS: dict[str, pa.DataType] = {
    "unique_id": pa.int64(),
    "kind": pa.string(),  # "person" / "organization"
    "name": pa.string(),
    "name_latin": pa.string(),
    "name_key": pa.string(),  # fold(name), when already stored (else computed)
    "name_pinyin": pa.string(),  # search_keys(name)[1], when already stored
    "gender": pa.string(),
    "birth_date": pa.string(),  # YYYY-MM-DD (or any fixed-width date text)
    "organization_id": pa.int64(),
    "phones": pa.list_(pa.string()),  # normalised keys of unshared identifiers only
    "emails": pa.list_(pa.string()),
    "ids": pa.list_(pa.string()),  # other identifiers: WeChat, loyalty card, ERP id...
    "province": pa.string(),
    "city": pa.string(),
    "district": pa.string(),
    "street": pa.string(),
}

# Legal forms at the end of a company name (folded: no spaces or punctuation), longest first.
_LEGAL_FORMS = sorted(
    ["有限责任公司", "股份有限公司", "集团有限公司", "有限公司", "集团", "股份", "公司"]
    + ["colimited", "coltd", "limited", "ltd", "incorporated", "inc", "corporation", "corp"]
    + ["company", "group", "co"],
    key=len,
    reverse=True,
)
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "区", "县")


@contextlib.contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink narrates training at INFO and WARNING ("level not observed"); a job reports its
    own stages, so only Splink's errors get through while it runs."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


@dataclass(frozen=True)
class Options:
    """How hard to train and how much to return."""

    threshold: float = 0.5  # lowest match probability returned
    seed: int = 42
    u_max_pairs: float = 2e6
    em_max_pairs: float = 1e6
    min_train_records: int = 500
    threads: int | None = None  # DuckDB threads (None: DuckDB's default, all cores)
    memory_limit: str | None = None  # e.g. "4GB"; None: DuckDB's default
    # A model saved by an earlier run (``Scored.model``): score with it instead of training.
    model: dict[str, Any] | None = None


@dataclass
class Scored:
    """The pairs, and what was learnt (for evidence labels and reports)."""

    pairs: pa.Table
    labels: dict[str, dict[int, str]]
    weights: dict[str, dict[int, float]]
    trained: bool
    prior: float
    model: dict[str, Any] | None = None  # the Splink model used, as JSON, to reuse later


# --------------------------------------------------------------------------- features


def _place_stems(*columns: list[str | None]) -> list[str]:
    """Place names as they appear inside company names: 上海市 → 上海, 浙江省 → 浙江."""
    stems: set[str] = set()
    for column in columns:
        for value in set(column):
            text = fold(value or "")
            for suffix in _PLACE_SUFFIXES:
                if text.endswith(suffix) and len(text) > len(suffix) + 1:
                    text = text[: -len(suffix)]
                    break
            if len(text) >= 2 and has_cjk(text):
                stems.add(text)
    return sorted(stems, key=len, reverse=True)


def bracket_stems(names: list[str | None]) -> list[str]:
    """Places named in brackets inside company names: 华盛贸易(厦门)有限公司 → 厦门. A company
    registered in a city the records do not live in is still named after it, and the bracket
    says which part of the name is the place."""
    stems: set[str] = set()
    for name in names:
        if name and ("(" in name or "（" in name):
            for inner in _BRACKETED.findall(unicodedata.normalize("NFKC", name)):
                text = fold(inner)
                if 2 <= len(text) <= 4 and has_cjk(text):
                    stems.add(text)
    return sorted(stems, key=len, reverse=True)


def org_place(name: str, stems: list[str]) -> str:
    """The place a company name carries, in brackets or in front (empty when none):
    上海华盛贸易有限公司 and 华盛贸易(上海)有限公司 → 上海."""
    text = unicodedata.normalize("NFKC", name or "")
    for inner in _BRACKETED.findall(text):
        if fold(inner) in stems:
            return fold(inner)
    folded = fold(text)
    return next((stem for stem in stems if folded.startswith(stem)), "")


def org_core(name: str, stems: list[str]) -> str | None:
    """The distinctive part of a company name: no legal form, no place in front or in
    brackets. 上海华盛贸易有限公司, 华盛贸易(上海)有限公司 and 上海华盛贸易 → 华盛贸易;
    "Union Harbor Technology Inc." and "UNION HARBOR TECHNOLOGY" → unionharbortechnology."""
    text = fold(_BRACKETED.sub("", unicodedata.normalize("NFKC", name or "")))
    changed = True
    while changed:
        changed = False
        for form in _LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form) + 1:
                text, changed = text[: -len(form)], True
                break
    for stem in stems:
        if text.startswith(stem) and len(text) > len(stem) + 1:
            text = text[len(stem) :]
            break
    return text or None


# Surnames read otherwise than the character's commonest reading: 曾 is zēng as a surname,
# céng elsewhere, so 曾萍 is "Zeng Ping" on a record written in pinyin.
SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "仇": "qiu", "区": "ou", "解": "xie", "朴": "piao", "查": "zha",
    "覃": "qin", "翟": "zhai", "盖": "ge", "缪": "miao", "乐": "yue", "尉": "yu", "种": "chong",
}  # fmt: skip


def rotated(name: str, name_latin: str = "") -> str:
    """The pinyin key in the other name order: last word first ("Wei Zhang" → zhangwei,
    "Xiaoming Zhang" → zhangxiaoming, "Zhang Wei" → weizhang). Names in characters have
    one order only; their other key is the surname's own reading where it has one (曾萍 →
    zengping, where the character reading gives cengping)."""
    if has_cjk(name or ""):
        folded = fold(name)
        reading = SURNAME_READINGS.get(folded[:1])
        if reading and len(folded) > 1:
            return reading + search_keys(folded[1:])[1]
        return search_keys(name, name_latin)[1]
    tokens = latin_tokens(name or name_latin)
    if len(tokens) < 2:
        return "".join(tokens)
    return "".join([tokens[-1], *tokens[:-1]])


def _column(table: pa.Table, name: str) -> list[Any]:
    if name in table.column_names:
        return table.column(name).to_pylist()
    return [None] * table.num_rows


def _blank(value: str | None) -> str | None:
    return value if value else None


def features(records: pa.Table) -> pa.Table:
    """The records with the keys the model compares (names folded, pinyin both ways, company
    core names, address keys, identifier lists); every text key is NULL when blank."""
    names = [n or "" for n in _column(records, "name")]
    latins = [n or "" for n in _column(records, "name_latin")]
    stored_keys, stored_pinyin = _column(records, "name_key"), _column(records, "name_pinyin")
    kinds = _column(records, "kind")
    keys, pinyins, alts, cores, org_keys, latin_keys = [], [], [], [], [], []
    org_names = [n for n, k in zip(names, kinds, strict=True) if k == "organization"]
    stems = sorted(
        set(_place_stems(_column(records, "city"), _column(records, "province")))
        | set(bracket_stems(org_names)),
        key=len,
        reverse=True,
    )
    for i, name in enumerate(names):
        if stored_keys[i] is None or stored_pinyin[i] is None:
            key, spelled = search_keys(name, latins[i])
        else:
            key, spelled = stored_keys[i], stored_pinyin[i]
        keys.append(_blank(key))
        pinyins.append(_blank(spelled))
        alts.append(_blank(rotated(name, latins[i])))
        core = org_core(name, stems) if kinds[i] == "organization" else None
        cores.append(core)
        org_keys.append(f"{org_place(name, stems)}|{core}" if core else None)
        latin_keys.append(_blank("".join(latin_tokens(latins[i]))))

    def text(name: str) -> pa.Array:
        return pa.array([_blank(fold(v or "")) for v in _column(records, name)], pa.string())

    def keys_list(name: str) -> pa.Array:
        values = _column(records, name)
        return pa.array([sorted(set(v)) if v else None for v in values], pa.list_(pa.string()))

    province, city, district = (text(c) for c in ("province", "city", "district"))
    street = pa.array(_street_keys(records), pa.string())
    columns: dict[str, pa.Array] = {
        "unique_id": pa.array(_column(records, "unique_id"), pa.int64()),
        "name_key": pa.array(keys, pa.string()),
        "pinyin": pa.array(pinyins, pa.string()),
        "pinyin_alt": pa.array(alts, pa.string()),
        "org_core": pa.array(cores, pa.string()),
        "org_key": pa.array(org_keys, pa.string()),
        "latin_key": pa.array(latin_keys, pa.string()),
        "latin": pa.array([not has_cjk(n) for n in names], pa.bool_()),
        "gender": pa.array([_blank(v) for v in _column(records, "gender")], pa.string()),
        "birth": pa.array([_blank(str(v or "")) for v in _column(records, "birth_date")]),
        "organization_id": pa.array(_column(records, "organization_id"), pa.int64()),
        "phones": keys_list("phones"),
        "emails": keys_list("emails"),
        "email_locals": pa.array(
            [
                sorted({e.rpartition("@")[0] for e in v}) if v else None
                for v in _column(records, "emails")
            ],
            pa.list_(pa.string()),
        ),
        "ids": keys_list("ids"),
        "province_key": province,
        "city_key": city,
        "district_key": district,
        "street_key": street,
    }
    table = pa.table(columns)
    return _with_place_key(table)


def _street_keys(records: pa.Table) -> list[str | None]:
    """The street line folded (half-width digits, simplified 号 for 號), without the names of
    places in front of it: one form writes "朝阳区建国路8号" in the street line, another puts
    朝阳区 in its own field or leaves it out. Only names in characters are taken off (the place
    names of the records themselves); a Latin street line is kept as it is."""
    places = {
        fold(v)
        for column in ("province", "city", "district")
        for v in set(_column(records, column))
        if v and has_cjk(v)
    }
    places.discard("")
    if not places:
        return [_blank(fold(v or "")) for v in _column(records, "street")]
    alternatives = "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
    leading = re.compile(f"^(?:{alternatives})+")
    out: list[str | None] = []
    for value in _column(records, "street"):
        key = fold(value or "")
        stripped = leading.sub("", key)
        out.append(_blank(stripped or key))
    return out


def _with_place_key(table: pa.Table) -> pa.Table:
    """``place_key``: city and street as one key (NULL without a street). The district is not
    part of it: forms leave it out or move it into the street line, and the street names the
    place well enough within a city."""
    cities = table.column("city_key").to_pylist()
    streets = table.column("street_key").to_pylist()
    place = [f"{c or ''}|{s}" if s else None for c, s in zip(cities, streets, strict=True)]
    return table.append_column("place_key", pa.array(place, pa.string()))


def _has(table: pa.Table, column: str) -> bool:
    return table.column(column).null_count < table.num_rows


# --------------------------------------------------------------------------- the model

# Every level below carries a generic starting (m, u): m how often one person's two records
# fall in it, u how often two different people do, from what is known about person data in
# general, not from any test set. They are used as they are when there is too little data to
# train, and as the starting point of EM otherwise.
Level = tuple[str, str, str | None, tuple[float, float]]


def _levels(name: str, null_sql: str, levels: list[Level], else_m: float | None = None) -> dict:
    """A comparison: a NULL level, ``levels`` (condition, label, term-frequency column,
    starting (m, u)), and an else level taking what is left (or ``else_m``, the others
    rescaled to leave it)."""
    priors = [prior for *_rest, prior in levels]
    if else_m is not None:
        scale = (1 - else_m) / sum(m for m, _ in priors)
        levels = [(c, lb, tf, (m * scale, u)) for c, lb, tf, (m, u) in levels]
        priors = [prior for *_rest, prior in levels]
    out: list[dict[str, Any]] = [
        {"sql_condition": null_sql, "label_for_charts": "missing", "is_null_level": True}
    ]
    for condition, label, tf, (m, u) in levels:
        level: dict[str, Any] = {
            "sql_condition": condition,
            "label_for_charts": label,
            "m_probability": m,
            "u_probability": u,
        }
        if tf:
            level |= {"tf_adjustment_column": tf, "tf_adjustment_weight": 1.0}
        out.append(level)
    m_rest = max(1e-4, 1 - sum(m for m, _ in priors))
    u_rest = max(1e-4, 1 - sum(u for _, u in priors))
    out.append(
        {
            "sql_condition": "ELSE",
            "label_for_charts": "different",
            "m_probability": m_rest,
            "u_probability": u_rest,
        }
    )
    return {"output_column_name": name, "comparison_levels": out}


def _name_comparison(org_u: tuple[float, float] | None, with_latin: bool) -> dict:
    """Names: the same characters (traditional folded), the same company core, the same
    pinyin (a homophone typed with a pinyin keyboard), the same pinyin in the other order,
    then near spellings. A spelling slip is a Latin-letter thing: two names in characters
    whose pinyin differs by a letter (王艳 wangyan / 王丹 wangdan) are different names."""
    other_order = "pinyin_l = pinyin_alt_r OR pinyin_alt_l = pinyin_r"
    if with_latin:
        other_order += " OR latin_key_l = latin_key_r"
    close = (
        "(latin_l OR latin_r) AND greatest(jaro_winkler_similarity(pinyin_l, pinyin_r),"
        " jaro_winkler_similarity(pinyin_l, pinyin_alt_r),"
        " jaro_winkler_similarity(pinyin_alt_l, pinyin_r))"
    )
    # one letter left out, doubled, swapped or mistyped: "Sarah" / "Srah", "Peter" / "Peeter"
    slip = "(latin_l OR latin_r) AND damerau_levenshtein(pinyin_l, pinyin_r) <= 1"
    levels: list[Level] = [
        ("name_key_l = name_key_r", "same name (characters folded)", "name_key", (0.65, 1e-3))
    ]
    if org_u is not None:
        same_key = ("org_key_l = org_key_r", "same company name and place", None, (0.05, org_u[0]))
        same_core = ("org_core_l = org_core_r", "same company name core", None, (0.02, org_u[1]))
        levels += [same_key, same_core]
    levels += [
        ("pinyin_l = pinyin_r", "same pinyin", "pinyin", (0.12, 2e-3)),
        (other_order, OTHER_ORDER_LABEL, None, (0.05, 1e-4)),
        (f"{slip} OR {close} >= 0.94", "pinyin one slip apart", None, (0.05, 1e-3)),
        (f"{close} >= 0.85", "pinyin similar", None, (0.06, 1e-2)),
    ]
    comparison = _levels("name", "name_key_l IS NULL OR name_key_r IS NULL", levels, 0.02)
    for level in comparison["comparison_levels"]:
        if level["sql_condition"] in ("org_key_l = org_key_r", "org_core_l = org_core_r"):
            level["fix_u_probability"] = True
    return comparison


def comparisons(table: pa.Table, counted: bool = True) -> list[dict]:
    """The comparisons the data supports: one for each kind of evidence it carries.

    ``counted``: count the u of the rarest levels from the keys (see :func:`_fix_u`). Not on a
    handful of records, where the pairs that share a full address are mostly the duplicates
    themselves and the count would say nothing about two different people."""
    out = [_name_comparison(_org_u(table), _has(table, "latin_key"))]
    if counted:
        _fix_u(out[0], OTHER_ORDER_LABEL, _other_order_u(table))
    if _has(table, "birth"):
        swap = (
            "substr(birth_l, 1, 4) = substr(birth_r, 1, 4)"
            " AND substr(birth_l, 6, 2) = substr(birth_r, 9, 2)"
            " AND substr(birth_l, 9, 2) = substr(birth_r, 6, 2)"
        )
        slip = f"levenshtein(birth_l, birth_r) <= 1 OR ({swap})"
        out.append(
            _levels(
                "birth",
                "birth_l IS NULL OR birth_r IS NULL",
                [
                    ("birth_l = birth_r", "same birth date", None, (0.9, 5e-5)),
                    (slip, "birth date one slip apart", None, (0.08, 1e-3)),
                ],
            )
        )
    if _has(table, "gender"):
        same = ("gender_l = gender_r", "same gender", None, (0.98, 0.5))
        out.append(_levels("gender", "gender_l IS NULL OR gender_r IS NULL", [same]))
    if _has(table, "organization_id"):
        same = ("organization_id_l = organization_id_r", "same organization", None, (0.9, 0.01))
        null = "organization_id_l IS NULL OR organization_id_r IS NULL"
        out.append(_levels("organization", null, [same]))
    if _has(table, "city_key") or _has(table, "place_key"):
        out.append(_address_comparison())
        if counted:
            shared = _pair_share(table, _same_value_pairs(table, "place_key"))
            _fix_u(out[-1], "same address", shared)
    for column, label in (("phones", "phone"), ("emails", "email"), ("ids", "identifier")):
        if _has(table, column):
            out.append(_identifier_comparison(column, label))
    return out


OTHER_ORDER_LABEL = "same pinyin, other order"


def _pair_share(table: pa.Table, same: int) -> float:
    """``same`` pairs as a share of all pairs of records (at least one pair)."""
    n = table.num_rows
    return max(same, 1) / max(n * (n - 1) // 2, 1)


def _same_value_pairs(table: pa.Table, column: str) -> int:
    """How many pairs of records hold one value in ``column`` (NULLs never do)."""
    counts = pc.value_counts(table.column(column).drop_null())
    return sum(c * (c - 1) // 2 for c in counts.field("counts").to_pylist())


def _other_order_u(table: pa.Table) -> float:
    """u of "same pinyin, other order", counted: pairs where one record's name read the other
    way round (or with the surname's own reading) is the other's pinyin. Counted rather than
    sampled for the same reason as the same address: see :func:`_fix_u`."""
    alt = pc.if_else(
        pc.equal(table.column("pinyin_alt"), table.column("pinyin")),
        pa.scalar(None, pa.string()),
        table.column("pinyin_alt"),
    )
    alts = pc.value_counts(alt.drop_null())
    pinyins = pc.value_counts(table.column("pinyin").drop_null())

    def counted(counts: pa.StructArray) -> dict[str, int]:
        values, numbers = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
        return dict(zip(values, numbers, strict=True))

    seen = counted(pinyins)
    same = sum(c * seen.get(v, 0) for v, c in counted(alts).items())
    return _pair_share(table, same)


def _fix_u(comparison: dict, label: str, u: float) -> None:
    """Set and fix the u of one level. A level that two different people almost never reach
    (the same full address, a name in the other order) is too rare for the random sample: at
    a million records 2 million sampled pairs hold none, and u would stay at its generic
    starting value, off by orders of magnitude. Such a u is counted from the keys instead."""
    for level in comparison["comparison_levels"]:
        if level.get("label_for_charts") == label:
            level["u_probability"] = u
            level["fix_u_probability"] = True


def _org_u(table: pa.Table) -> tuple[float, float] | None:
    """u of "same company name and place" and of "same company name core", counted exactly
    rather than sampled: companies are a small share of the records, so a random sample of
    pairs almost never holds two of them with one name, and would leave u at its starting
    value. A pair with the same key also has the same core; the core level only takes the
    pairs whose places differ, so its u is what is left."""
    if not _has(table, "org_core"):
        return None
    same_key = _same_value_pairs(table, "org_key")
    same_core = _same_value_pairs(table, "org_core")
    return _pair_share(table, same_key), _pair_share(table, same_core - same_key)


def _address_comparison() -> dict:
    """Addresses: the same city and street; the street a slip or two apart (alike overall and
    at most two edits: a typo, where two houses on one road, 迎宾大道88号202室 and
    迎宾大道442号2202室, are alike but further apart); the same city where one record has no
    street (a record that knows only the city does not contradict one that knows the street,
    so it is its own level and not "same city", which means the streets differ); then the same
    district, city, province."""
    street = (
        "jaro_winkler_similarity(street_key_l, street_key_r) >= 0.9"
        " AND levenshtein(street_key_l, street_key_r) <= 2"
    )
    return _levels(
        "address",
        "coalesce(city_key_l, place_key_l) IS NULL OR coalesce(city_key_r, place_key_r) IS NULL",
        [
            ("place_key_l = place_key_r", "same address", None, (0.5, 1e-4)),
            (f"city_key_l = city_key_r AND {street}", "street nearly the same", None, (0.1, 1e-4)),
            (
                "city_key_l = city_key_r AND (street_key_l IS NULL OR street_key_r IS NULL)",
                "same city, no street on one",
                None,
                (0.05, 1e-3),
            ),
            (
                "city_key_l = city_key_r AND district_key_l = district_key_r",
                "same district",
                None,
                (0.15, 5e-3),
            ),
            ("city_key_l = city_key_r", "same city", None, (0.1, 0.05)),
            ("province_key_l = province_key_r", "same province", None, (0.05, 0.1)),
        ],
    )


def _identifier_comparison(column: str, label: str) -> dict:
    shared = f"len(list_intersect({column}_l, {column}_r)) > 0"
    levels: list[Level] = [(shared, f"a {label} in common", None, (0.6, 1e-6))]
    if column == "emails":
        locals_ = "len(list_intersect(email_locals_l, email_locals_r)) > 0"
        levels.append((locals_, "same mailbox name", None, (0.1, 1e-4)))
    elif column == "ids":
        slip = f"levenshtein({column}_l[1], {column}_r[1]) <= 1"
        levels.append((slip, "one slip apart", None, (0.1, 1e-4)))
    return _levels(column, f"{column}_l IS NULL OR {column}_r IS NULL", levels)


def blocking_rules(table: pa.Table) -> list[Any]:
    """Which pairs are compared at all: those that agree on something specific. Every rule
    is an equi-join, so 1,000,000 records stay a few million pairs, not 5 × 10^11."""
    rules: list[Any] = [
        block_on("pinyin", "birth") if _has(table, "birth") else block_on("pinyin"),
        "l.pinyin_alt = r.pinyin AND l.pinyin_alt <> l.pinyin",
        "l.pinyin = r.pinyin_alt AND r.pinyin_alt <> r.pinyin",
    ]
    if _has(table, "place_key"):
        rules.append(block_on("place_key"))
    if _has(table, "birth"):
        rules.append(block_on("birth", "substr(pinyin, 1, 1)"))
    if _has(table, "org_core"):
        rules.append(block_on("org_core"))
    if _has(table, "city_key"):
        rules.append(block_on("pinyin", "city_key"))
    for column in ("phones", "emails", "ids"):
        if _has(table, column):
            rules.append(block_on(column, arrays_to_explode=[column]))
    return rules


def settings(table: pa.Table, prior: float, counted: bool = True) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(table, counted),  # type: ignore[arg-type]
        blocking_rules_to_generate_predictions=blocking_rules(table),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=True,  # mw_ columns: the evidence
        max_iterations=20,
    )


def default_prior(n: int) -> float:
    """Before training: about 2% of the records have a duplicate somewhere."""
    return min(0.5, 0.02 * 2 / max(n - 1, 1))


# --------------------------------------------------------------------------- scoring


def _connect(options: Options) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if options.threads:
        con.execute(f"SET threads = {int(options.threads)}")
    if options.memory_limit:
        con.execute(f"SET memory_limit = '{options.memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _train(linker: Linker, table: pa.Table, options: Options, stage: Callable[[str], None]) -> None:
    """u by random sampling, then m (and the prior) by EM in the sessions of
    :func:`training_blocks`; each comparison is estimated in the sessions that do not block
    on it, and a level's m is the median of its estimates."""
    stage("estimating u by random sampling")
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_max_pairs, seed=options.seed, min_count_per_level=None
    )
    for i, (label, columns) in enumerate(training_blocks(table)):
        stage(f"estimating m by EM on pairs with the same {label}")
        _em(linker, columns, options, populate_prior=i == 0)


def training_blocks(table: pa.Table) -> list[tuple[str, list[str]]]:
    """The EM sessions: (label, columns blocked on), the first one also gives the prior.

    EM can only tell duplicates from the rest where duplicates are not too rare among the
    pairs it sees and where at least two other comparisons speak. Pairs with the same birth
    date estimate the names and the address; pairs at the same address (city and street)
    estimate the birth date, gender and identifiers. Pairs with the same pinyin name were
    used before: at 1,000,000 records they are 29 million, a sample of a million of them is
    almost all namesakes, and EM then took a share of namesakes for duplicates and learnt
    that one person's two records often differ in birth date (a weight of -0.9 for a
    different birth date, against -8 at 100,000 records). Pinyin stays as the fallback for
    data without a birth date or a street."""
    blocks: list[tuple[str, list[str]]] = []
    if _has(table, "birth"):
        blocks.append(("birth date", ["birth"]))
    if _has(table, "place_key"):
        blocks.append(("address", ["place_key"]))
    if len(blocks) < 2:
        blocks.append(("pinyin name", ["pinyin"]))
    return blocks


def _em(linker: Linker, columns: list[str], options: Options, *, populate_prior: bool) -> None:
    """One EM session on pairs blocked on ``columns``. When the data hold almost no duplicates
    (a second run, after the first merged them), EM can drive an m towards zero until Splink
    refuses the value; the session is then dropped and the estimates before it are kept.

    Kept by hand: a Splink EM session takes out of the linker's settings, in place, the
    comparisons its block uses and sets the prior to its block's, and puts them back only when
    it finishes. After a failed session the linker would score without those comparisons and
    with the block's prior."""
    before = copy.deepcopy(linker._settings_obj.core_model_settings)
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns),
            max_pairs=options.em_max_pairs,
            populate_probability_two_random_records_match_from_trained_values=populate_prior,
        )
    except ValueError as exc:
        if "below the minimum allowed value" not in str(exc):
            raise
        log.warning("EM on %s did not converge (%s); keeping the earlier estimates", columns, exc)
        linker._settings_obj.core_model_settings = before


IDENTIFIER_COMPARISONS = ("phones", "emails", "ids")
M_FLOOR = 1e-3  # no single disagreement is an absolute veto: data entry makes mistakes


def _floor_m(linker: Linker) -> None:
    """EM on clean data learns that one person's records never disagree on, say, gender
    (m = 10^-40, a weight of -130); a real entry mistake would then veto any match. The m of
    every level is kept at or above :data:`M_FLOOR`, then renormalised.

    A level that no pair of the EM samples reached ("level not observed") keeps its starting
    m, as in Splink: a company level is never seen in blocks of birth dates and homes, and its
    generic m is the best there is. Not so for the identifiers: deterministic resolution has
    already merged every two records that share an unshared one, so the samples hold plenty
    of pairs with a phone on both sides and none that share it, and the data do say something:
    a shared identifier is (nearly) never among the pairs left. Its level takes the floor.
    Before, "a phone in common" kept m = 0.6, the renormalisation took "different" from the
    learnt 1.0 to 0.625, and every pair whose records both had a phone lost 0.7 bits (up to
    2 bits with an email and an id) for nothing."""
    for comparison in linker._settings_obj.comparisons:
        levels = [lv for lv in comparison.comparison_levels if not lv.is_null_level]
        seen = comparison.output_column_name in IDENTIFIER_COMPARISONS and any(
            lv._has_estimated_m_values for lv in levels
        )
        ms = [
            max(lv.m_probability or M_FLOOR, M_FLOOR)
            if lv._has_estimated_m_values or not seen
            else M_FLOOR
            for lv in levels
        ]
        total = sum(ms)
        for level, m in zip(levels, ms, strict=True):
            level.m_probability = m / total


def score_pairs(
    records: pa.Table,
    *,
    options: Options = Options(),
    stage: Callable[[str], None] | None = None,
) -> Scored:
    """Score the likely duplicate pairs among ``records`` (see :data:`RECORD_COLUMNS`).

    Returns the pairs at or above ``options.threshold``: ``left_id < right_id``,
    ``probability``, ``match_weight`` and ``mw_<comparison>`` (the weight each comparison
    gave; :func:`evidence` names the level).
    """
    stage = stage or (lambda message: None)
    stage("preparing names, pinyin and addresses")
    table = features(records)
    if table.num_rows < 2:
        empty = pa.table({c: pa.array([], t) for c, t in _PAIR_COLUMNS.items()})
        return Scored(empty, {}, {}, trained=False, prior=0.0)
    con = _connect(options)
    trained = table.num_rows >= options.min_train_records
    try:
        with _quiet_splink():
            pairs, model = _run(con, table, options, trained, stage)
    finally:
        con.close()
    labels, weights = _levels_of(model)
    return Scored(
        pairs,
        labels,
        weights,
        trained and options.model is None,
        model["probability_two_random_records_match"],
        model,
    )


_PAIR_COLUMNS = {
    "left_id": pa.int64(),
    "right_id": pa.int64(),
    "probability": pa.float64(),
    "match_weight": pa.float64(),
}


def _run(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    options: Options,
    trained: bool,
    stage: Callable[[str], None],
) -> tuple[pa.Table, dict[str, Any]]:
    """Train (when there is enough data) and predict; the pairs and the model as a dict."""
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(table, table_name="hudong_records")
    if options.model is not None:
        linker = Linker(sdf, options.model, log_level=None)
        trained = False
    else:
        creator = settings(table, default_prior(table.num_rows), counted=trained)
        linker = Linker(sdf, creator, log_level=None)
    lookup = db_api.register(homophone_frequencies(table), table_name="hudong_tf_pinyin")
    linker.table_management.register_term_frequency_lookup(lookup, "pinyin")
    if trained:
        _train(linker, table, options, stage)
        _floor_m(linker)
    stage("scoring blocked pairs")
    predictions = linker.inference.predict(
        threshold_match_probability=options.threshold, warning_mode="never"
    )
    return _pairs(con, predictions.physical_name), linker.misc.save_model_to_json()


def homophone_frequencies(table: pa.Table) -> pa.Table:
    """The term frequency of each pinyin for the level "same pinyin" (``pinyin``,
    ``tf_pinyin``), counting only what that level sees: two records that sound the same and
    are written differently (the same writing is the level above it).

    Splink's own lookup would give a pinyin's share of the records, as for an exact match.
    But wangchen written 王晨 nine times in ten is a common name and a rare homophone pair:
    two different people called wangchen are mostly both 王晨, which the level "same name"
    weighs, and seldom 王晨 and "Wang Chen". For a pinyin of ``n`` records written in ways
    of ``n_a`` records each, the pairs written differently are (n² - Σ n_a²) / 2 of the
    N² / 2, and the frequency that makes Splink's adjustment log2(u_level / tf) the weight of
    exactly those pairs is (n² - Σ n_a²) / (N n), at least one pair."""
    n = table.num_rows
    spelled = table.select(["pinyin", "name_key"]).filter(pc.is_valid(table.column("pinyin")))
    ways = spelled.group_by(["pinyin", "name_key"], use_threads=False).aggregate(
        [([], "count_all")]
    )
    squared = pc.multiply(ways.column("count_all"), ways.column("count_all"))
    ways = ways.append_column("squared", squared)
    per = ways.group_by("pinyin", use_threads=False).aggregate(
        [("count_all", "sum"), ("squared", "sum")]
    )
    records, same = per.column("count_all_sum"), per.column("squared_sum")
    different = pc.max_element_wise(pc.subtract(pc.multiply(records, records), same), 2)
    tf = pc.divide(pc.cast(different, pa.float64()), pc.multiply(pc.cast(records, pa.float64()), n))
    return pa.table({"pinyin": per.column("pinyin"), "tf_pinyin": tf})


def _pairs(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    columns = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
    gammas = ", ".join(c for c in columns if c.startswith("mw_"))
    sql = (
        "SELECT least(unique_id_l, unique_id_r) AS left_id,"
        " greatest(unique_id_l, unique_id_r) AS right_id,"
        f" match_probability AS probability, match_weight, {gammas}"
        f" FROM {name} ORDER BY left_id, right_id"
    )
    return con.sql(sql).to_arrow_table()


def _levels_of(model: dict[str, Any]) -> tuple[dict, dict]:
    """Per comparison, gamma value → level label and → log2 Bayes factor (the weight)."""
    import math

    labels: dict[str, dict[int, str]] = {}
    weights: dict[str, dict[int, float]] = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = comparison["comparison_levels"]
        labels[name], weights[name] = {}, {}
        rank = len([lv for lv in levels if not lv.get("is_null_level")]) - 1
        for level in levels:
            gamma = -1 if level.get("is_null_level") else rank
            if not level.get("is_null_level"):
                rank -= 1
            labels[name][gamma] = level.get("label_for_charts", "")
            m, u = level.get("m_probability"), level.get("u_probability")
            weights[name][gamma] = math.log2(m / u) if m and u else 0.0
    return labels, weights


def evidence(scored: Scored, row: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What each comparison said about one scored pair: its level and its weight (log2 of
    the Bayes factor, positive for, negative against, with the adjustment for how common the
    name is); comparisons with nothing to compare are left out.

    Splink returns each comparison's weight (``mw_<comparison>``); the level is the one
    whose trained weight that is."""
    out: dict[str, dict[str, Any]] = {}
    for name, weights in scored.weights.items():
        weight = row.get(f"mw_{name}")
        if weight is None:
            continue
        gamma = min(weights, key=lambda g: (abs(weights[g] - weight), g))
        if gamma == -1:
            continue
        total = weight + (row.get(f"mw_tf_adj_{name}") or 0.0)
        out[name] = {"level": scored.labels[name].get(gamma, ""), "weight": round(total, 2)}
    return out


# --------------------------------------------------------------------------- evaluation


def febrl_records(path: Path | str) -> tuple[pa.Table, set[tuple[int, int]]]:
    """A FEBRL file (``rec_id, given_name, surname, street_number, address_1, ...``) as
    records for :func:`score_pairs`, with the true duplicate pairs: every two records whose
    ids share ``N`` in ``rec-N-org`` / ``rec-N-dup-K`` are one person. The mapping: name is
    given name and surname, street is number and address lines, suburb the district, postcode
    the city, state the province, the social security number an identifier."""
    with Path(path).open(newline="", encoding="utf-8") as fh:
        rows = [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(fh)]
    entity: dict[str, list[int]] = {}
    columns: dict[str, list[Any]] = {c: [] for c in ("unique_id", "name", "birth_date", "ids")}
    columns |= {c: [] for c in ("street", "district", "city", "province")}
    for i, r in enumerate(rows):
        entity.setdefault(r["rec_id"].split("-")[1], []).append(i)
        dob = r["date_of_birth"]
        columns["unique_id"].append(i)
        columns["name"].append(f"{r['given_name']} {r['surname']}".strip())
        columns["birth_date"].append(f"{dob[:4]}-{dob[4:6]}-{dob[6:]}" if len(dob) == 8 else dob)
        columns["ids"].append([r["soc_sec_id"]] if r["soc_sec_id"] else None)
        parts = (r["street_number"], r["address_1"], r["address_2"])
        columns["street"].append(" ".join(p for p in parts if p))
        columns["district"].append(r["suburb"])
        columns["city"].append(r["postcode"])
        columns["province"].append(r["state"])
    truth = {pair for ids in entity.values() for pair in itertools.combinations(sorted(ids), 2)}
    table = pa.table({**columns, "ids": pa.array(columns["ids"], pa.list_(pa.string()))})
    return table, truth


def pair_metrics(
    predicted: set[tuple[int, int]], truth: set[tuple[int, int]]
) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of ``predicted`` against ``truth`` (both as
    ``(lower id, higher id)`` pairs)."""
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "predicted": len(predicted),
        "true_pairs": len(truth),
        "found": hits,
    }
