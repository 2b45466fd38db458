"""Names for the demo: Chinese and English people, companies, and the ways they get mistyped.

Everything here is table-driven so that the generator can draw indices with numpy and turn
them into strings at the end. Pinyin comes from pypinyin, computed once per character (not
per customer), and typos are homophones: the error a pinyin input method really makes.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pypinyin import lazy_pinyin


def words(text: str) -> list[str]:
    """A word list written as one string (the tables below stay readable)."""
    return text.split()


# Surname, relative frequency (roughly the 2020 census order).
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2),
    ("赵", 2.1), ("吴", 2.0), ("周", 1.9), ("徐", 1.7), ("孙", 1.5), ("马", 1.5), ("朱", 1.3),
    ("胡", 1.3), ("郭", 1.2), ("何", 1.2), ("高", 1.1), ("林", 1.1), ("罗", 1.0), ("郑", 1.0),
    ("梁", 0.9), ("谢", 0.8), ("宋", 0.8), ("唐", 0.8), ("许", 0.7), ("韩", 0.7), ("冯", 0.7),
    ("邓", 0.7), ("曹", 0.6), ("彭", 0.6), ("曾", 0.6), ("肖", 0.6), ("田", 0.6), ("董", 0.5),
    ("袁", 0.5), ("潘", 0.5), ("于", 0.5), ("蒋", 0.5), ("蔡", 0.5), ("余", 0.5), ("杜", 0.5),
    ("叶", 0.5), ("程", 0.5), ("苏", 0.4), ("魏", 0.4), ("吕", 0.4), ("丁", 0.4), ("任", 0.4),
    ("沈", 0.4), ("姚", 0.4), ("卢", 0.4), ("姜", 0.3), ("崔", 0.3), ("钟", 0.3), ("谭", 0.3),
    ("陆", 0.3), ("汪", 0.3), ("范", 0.3), ("金", 0.3), ("石", 0.3), ("廖", 0.3), ("贾", 0.3),
    ("夏", 0.3), ("韦", 0.3), ("付", 0.3), ("方", 0.3), ("白", 0.3), ("邹", 0.3), ("孟", 0.3),
    ("熊", 0.3), ("秦", 0.3), ("邱", 0.3), ("江", 0.3), ("尹", 0.3), ("薛", 0.2), ("闫", 0.2),
    ("段", 0.2), ("雷", 0.2), ("侯", 0.2), ("龙", 0.2), ("史", 0.2), ("陶", 0.2), ("黎", 0.2),
    ("贺", 0.2), ("顾", 0.2), ("毛", 0.2), ("郝", 0.2), ("龚", 0.2), ("邵", 0.2), ("万", 0.2),
    ("欧阳", 0.05), ("司马", 0.02), ("诸葛", 0.01), ("上官", 0.01),
]  # fmt: skip
# pypinyin reads these as ordinary words; as surnames they are said differently.
SURNAME_PINYIN = {"曾": "zeng"}

GIVEN_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林峰建国志文海东晨博阳"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂燕萍红梅莉婷雪琳晶颖倩慧佳欣怡月丹琪婧玮莹璐蕾"
GIVEN_NEUTRAL = "小文子佳思雨嘉梓一诗若可晓晨欣"

# Characters a pinyin input method offers for the same syllable (toneless).
HOMOPHONES = [
    "伟玮炜薇维", "丽莉俐立", "静婧靖敬", "杰洁捷", "军君钧", "俊骏峻", "磊蕾垒", "明铭鸣",
    "英瑛莺", "华桦骅", "凡帆繁", "涛韬滔", "峰锋丰枫", "斌彬滨", "鹏朋", "晶菁精京", "芳方放",
    "娜纳", "敏闽", "霞侠", "燕艳雁", "萍平苹", "红虹宏", "梅玫媒", "婷庭亭", "雪学", "琳林霖",
    "颖影莹", "倩茜", "慧惠", "辉晖", "欣心新馨", "怡宜仪", "强蔷", "勇咏永", "超潮", "刚钢",
    "飞菲非", "宇雨语羽", "浩昊皓", "凯恺", "健建剑", "旭绪", "宁凝", "龙隆", "志智", "文雯",
    "东冬", "晨辰", "博波", "阳洋扬", "玲灵", "桂贵", "月悦", "琪琦棋", "璐露路", "思丝",
    "嘉佳家", "梓子紫", "诗师", "晓小筱", "鑫新", "帅率",
]  # fmt: skip

EN_FIRST_MALE = words(
    "James John Robert Michael David William Richard Thomas Daniel Matthew Andrew Kevin Brian "
    "Steven Jason Eric Peter Mark Paul Ryan Jack Leo Tony Vincent"
)
EN_FIRST_FEMALE = words(
    "Mary Jennifer Linda Sarah Emily Jessica Emma Olivia Sophia Grace Anna Laura Rachel Karen "
    "Amy Helen Lucy Kate Alice Chloe Cindy Vivian Irene Fiona"
)
EN_LAST = words(
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
    "Jackson White Harris Clark Lewis Walker Hall Young King Wright Green Baker Adams Nelson "
    "Carter Mitchell Roberts"
)
# English given name with a Chinese surname, as many people in China write themselves.
EN_CHINESE_LAST = words("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Xu Sun Ma Zhu Ho")

COMPANY_CITIES = words("上海 北京 广州 深圳 杭州 南京 成都 武汉 苏州 天津 重庆 西安 厦门 宁波")
COMPANY_WORDS = words(
    "华盛 恒通 鼎新 瑞丰 宏达 金泰 嘉禾 中远 天元 博瑞 信诚 东方 新科 联创 卓越 汇通 永安 "
    "德力 星河 远航 锦程 海纳 国泰 安信 万邦 长青 启明 和盛 精诚 云帆"
)
# industry word in the name, industry label stored on the customer, English word
INDUSTRIES: list[tuple[str, str, str]] = [
    ("贸易", "批发零售 Wholesale & Retail", "Trading"),
    ("科技", "信息技术 IT", "Technology"),
    ("制造", "制造业 Manufacturing", "Manufacturing"),
    ("餐饮管理", "餐饮 Catering", "Catering"),
    ("教育咨询", "教育 Education", "Education"),
    ("医疗器械", "医疗健康 Healthcare", "Medical"),
    ("物流", "物流运输 Logistics", "Logistics"),
    ("建设工程", "建筑 Construction", "Engineering"),
    ("投资管理", "金融 Finance", "Capital"),
    ("酒店管理", "酒店旅游 Hospitality", "Hospitality"),
    ("电子", "电子 Electronics", "Electronics"),
    ("食品", "食品 Food", "Foods"),
]
COMPANY_SUFFIXES = [("有限公司", 0.7), ("股份有限公司", 0.2), ("集团有限公司", 0.1)]
EN_COMPANY_WORDS = words(
    "Pacific Golden Harbor Bright Star Union Summit Blue River Eastern Pioneer Silver Oak "
    "Dragon Crown Jade Orient Global Prime"
)
EN_COMPANY_SUFFIXES = ["Co., Ltd.", "Ltd.", "Group", "Inc."]

JOB_TITLES_ZH = ["总经理", "采购经理", "财务总监", "IT主管", "行政专员", "运营总监", "销售经理"]
JOB_TITLES_EN = [
    "General Manager", "Purchasing Manager", "CFO", "IT Lead", "Office Administrator",
    "Head of Operations", "Sales Manager",
]  # fmt: skip


@cache
def syllable(text: str) -> str:
    """Toneless pinyin of a short piece of text, run together: 欧阳 -> ouyang."""
    if text in SURNAME_PINYIN:
        return SURNAME_PINYIN[text]
    return "".join(lazy_pinyin(text))


def latin_person(surname: str, given: str) -> str:
    """The pinyin form people write on forms: surname first, given name run together."""
    return f"{syllable(surname).capitalize()} {syllable(given).capitalize()}"


class NameTables:
    """Index-addressable name pools, built once per run."""

    def __init__(self) -> None:
        self.surnames = [s for s, _ in SURNAMES]
        weights = np.array([w for _, w in SURNAMES])
        self.surname_p = weights / weights.sum()
        self.male = list(GIVEN_MALE + GIVEN_NEUTRAL)
        self.female = list(GIVEN_FEMALE + GIVEN_NEUTRAL)
        self.homophone_of: dict[str, str] = {}
        for group in HOMOPHONES:
            for ch in group:
                self.homophone_of.setdefault(ch, group)


def chinese_people(
    rng: np.random.Generator, gender: np.ndarray, tables: NameTables
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Names for people of the given genders ('m', 'f', ''): name, latin, surname, given."""
    n = len(gender)
    s_idx = rng.choice(len(tables.surnames), size=n, p=tables.surname_p)
    two = rng.random(n) < 0.7
    male = gender == "m"
    female_like = ~male
    g1 = np.where(
        male,
        rng.integers(0, len(tables.male), n),
        rng.integers(0, len(tables.female), n),
    )
    g2 = np.where(
        male,
        rng.integers(0, len(tables.male), n),
        rng.integers(0, len(tables.female), n),
    )
    names, latin, surnames, givens = [], [], [], []
    pools = (tables.male, tables.female)
    for i in range(n):
        pool = pools[int(female_like[i])]
        given = pool[g1[i]] + (pool[g2[i]] if two[i] and g2[i] != g1[i] else "")
        surname = tables.surnames[s_idx[i]]
        names.append(surname + given)
        latin.append(latin_person(surname, given))
        surnames.append(surname)
        givens.append(given)
    return names, latin, surnames, givens


def english_people(rng: np.random.Generator, gender: np.ndarray) -> list[str]:
    n = len(gender)
    first_m = rng.integers(0, len(EN_FIRST_MALE), n)
    first_f = rng.integers(0, len(EN_FIRST_FEMALE), n)
    chinese_last = rng.random(n) < 0.4
    last_en = rng.integers(0, len(EN_LAST), n)
    last_cn = rng.integers(0, len(EN_CHINESE_LAST), n)
    out = []
    for i in range(n):
        first = EN_FIRST_MALE[first_m[i]] if gender[i] == "m" else EN_FIRST_FEMALE[first_f[i]]
        last = EN_CHINESE_LAST[last_cn[i]] if chinese_last[i] else EN_LAST[last_en[i]]
        out.append(f"{first} {last}")
    return out


def companies(rng: np.random.Generator, n: int, english: np.ndarray) -> tuple[list, list, list]:
    """Company names, their Latin form and the industry label."""
    city = rng.integers(0, len(COMPANY_CITIES), n)
    word = rng.integers(0, len(COMPANY_WORDS), n)
    ind = rng.integers(0, len(INDUSTRIES), n)
    suffix_p = np.array([p for _, p in COMPANY_SUFFIXES])
    suffix = rng.choice(len(COMPANY_SUFFIXES), size=n, p=suffix_p)
    en1 = rng.integers(0, len(EN_COMPANY_WORDS), n)
    en2 = rng.integers(0, len(EN_COMPANY_WORDS), n)
    en_suffix = rng.integers(0, len(EN_COMPANY_SUFFIXES), n)
    names, latin, industries = [], [], []
    for i in range(n):
        ind_word, label, ind_en = INDUSTRIES[ind[i]]
        industries.append(label)
        if english[i]:
            k = len(EN_COMPANY_WORDS)
            w1 = EN_COMPANY_WORDS[en1[i]]
            w2 = EN_COMPANY_WORDS[(en1[i] + 1 + en2[i] % (k - 1)) % k]
            name = f"{w1} {w2} {ind_en} {EN_COMPANY_SUFFIXES[en_suffix[i]]}"
            names.append(name)
            latin.append(name)
            continue
        parts = [COMPANY_CITIES[city[i]], COMPANY_WORDS[word[i]], ind_word]
        suffix_text = COMPANY_SUFFIXES[suffix[i]][0]
        names.append("".join(parts) + suffix_text)
        latin.append(
            " ".join(syllable(p).capitalize() for p in parts)
            + " "
            + " ".join(syllable(s).capitalize() for s in _suffix_words(suffix_text))
        )
    return names, latin, industries


def _suffix_words(suffix: str) -> list[str]:
    return {"有限公司": ["有限", "公司"], "股份有限公司": ["股份", "有限", "公司"]}.get(
        suffix, ["集团", "有限", "公司"]
    )


# --- the mistakes that make duplicates -------------------------------------------------------


def homophone_typo(rng: np.random.Generator, name: str, surname: str, tables: NameTables) -> str:
    """Swap one given-name character for another with the same pinyin (an IME slip)."""
    given = name[len(surname) :]
    for pos in rng.permutation(len(given)).tolist():
        group = tables.homophone_of.get(given[pos], "")
        choices = [c for c in group if c != given[pos]]
        if choices:
            repl = choices[int(rng.integers(0, len(choices)))]
            return surname + given[:pos] + repl + given[pos + 1 :]
    return ""


def latin_typo(rng: np.random.Generator, name: str) -> str:
    """One keyboard slip in a Latin name: a swap, a drop or a doubled letter."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 4:
        return name + name[-1]
    pos = letters[int(rng.integers(1, len(letters) - 1))]
    op = int(rng.integers(0, 3))
    if op == 0 and name[pos + 1 : pos + 2].isalpha() and name[pos] != name[pos + 1]:
        return name[:pos] + name[pos + 1] + name[pos] + name[pos + 2 :]
    if op == 1:
        return name[:pos] + name[pos + 1 :]
    return name[:pos] + name[pos] + name[pos:]


def western_order(latin: str) -> str:
    """Zhang Wei -> Wei Zhang (given name first, as on an English form)."""
    parts = latin.split(" ", 1)
    return f"{parts[1]} {parts[0]}" if len(parts) == 2 else latin


def org_variant(rng: np.random.Generator, name: str) -> str:
    """The same company entered differently: without its legal suffix, or city moved."""
    for suffix in ("集团有限公司", "股份有限公司", "有限公司"):
        if name.endswith(suffix):
            core = name[: -len(suffix)]
            if rng.random() < 0.5 or len(core) < 4:
                return core
            return f"{core[2:]}({core[:2]}){suffix}"
    for suffix in EN_COMPANY_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)].strip().upper()
    return name.upper()
