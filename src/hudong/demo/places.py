"""Where demo customers live: provinces, cities and districts per sales region, streets, and
the city's telephone area code (for landlines: households and company switchboards)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hudong.demo.names import words


@dataclass(frozen=True)
class City:
    region: str
    province: str
    city: str
    districts: tuple[str, ...]
    area_code: str  # without the trunk 0
    postal: str  # first three digits
    weight: float


def _c(region: str, province: str, city: str, districts: str, area: str, postal: str, w: float):
    return City(region, province, city, tuple(districts.split()), area, postal, w)


CITIES: list[City] = [
    _c("east", "上海市", "上海市", "浦东新区 黄浦区 徐汇区 静安区 长宁区 闵行区 宝山区 杨浦区",
       "21", "200", 5.0),
    _c("east", "江苏省", "南京市", "玄武区 秦淮区 鼓楼区 建邺区 江宁区", "25", "210", 2.0),
    _c("east", "江苏省", "苏州市", "姑苏区 吴中区 相城区 虎丘区", "512", "215", 2.0),
    _c("east", "浙江省", "杭州市", "西湖区 上城区 拱墅区 滨江区 余杭区", "571", "310", 2.5),
    _c("east", "浙江省", "宁波市", "海曙区 江北区 鄞州区", "574", "315", 1.0),
    _c("east", "山东省", "济南市", "历下区 市中区 槐荫区", "531", "250", 1.0),
    _c("east", "安徽省", "合肥市", "蜀山区 包河区 庐阳区", "551", "230", 1.0),
    _c("north", "北京市", "北京市", "朝阳区 海淀区 东城区 西城区 丰台区 通州区", "10", "100", 5.0),
    _c("north", "天津市", "天津市", "和平区 河西区 南开区 滨海新区", "22", "300", 2.0),
    _c("north", "河北省", "石家庄市", "长安区 桥西区 裕华区", "311", "050", 1.0),
    _c("north", "辽宁省", "沈阳市", "和平区 沈河区 皇姑区", "24", "110", 1.0),
    _c("south", "广东省", "广州市", "天河区 越秀区 海珠区 白云区 番禺区", "20", "510", 4.0),
    _c("south", "广东省", "深圳市", "南山区 福田区 罗湖区 宝安区 龙岗区", "755", "518", 4.0),
    _c("south", "福建省", "福州市", "鼓楼区 台江区 仓山区", "591", "350", 1.0),
    _c("south", "海南省", "海口市", "龙华区 美兰区", "898", "570", 0.5),
    _c("west", "四川省", "成都市", "锦江区 青羊区 武侯区 成华区 金牛区", "28", "610", 3.0),
    _c("west", "重庆市", "重庆市", "渝中区 江北区 南岸区 渝北区", "23", "400", 2.0),
    _c("west", "陕西省", "西安市", "雁塔区 碑林区 未央区", "29", "710", 1.5),
    _c("west", "云南省", "昆明市", "五华区 盘龙区 官渡区", "871", "650", 0.7),
    _c("west", "贵州省", "贵阳市", "云岩区 南明区 观山湖区", "851", "550", 0.5),
]  # fmt: skip

ROADS = words(
    "人民路 解放路 中山路 建设路 和平路 长江路 黄河路 新华路 胜利路 文化路 青年路 延安路 "
    "学府路 科技路 滨江大道 世纪大道 东风路 光明路 复兴路 花园路 朝阳路 幸福路 迎宾大道 "
    "工业园路 创业路 金桥路 南京路 北京路"
)
ESTATES = words("阳光花园 绿地小区 万科城 碧桂园 金色家园 华府 翠湖苑 锦绣江南 新城小区 时代广场")


def cities_by_region(region: str) -> list[int]:
    return [i for i, c in enumerate(CITIES) if c.region == region]


def pick_cities(rng: np.random.Generator, regions: np.ndarray, codes: list[str]) -> np.ndarray:
    """A city index for each region index in ``regions`` (``codes[i]`` is region i's code)."""
    out = np.zeros(len(regions), dtype=np.int64)
    for r, code in enumerate(codes):
        mask = regions == r
        idx = cities_by_region(code) or list(range(len(CITIES)))
        w = np.array([CITIES[i].weight for i in idx])
        out[mask] = np.array(idx)[rng.choice(len(idx), size=int(mask.sum()), p=w / w.sum())]
    return out


def streets(rng: np.random.Generator, n: int) -> list[str]:
    road = rng.integers(0, len(ROADS), n)
    number = rng.integers(1, 999, n)
    style = rng.integers(0, 3, n)
    estate = rng.integers(0, len(ESTATES), n)
    building = rng.integers(1, 30, n)
    unit = rng.integers(1, 6, n)
    room = rng.integers(1, 33, n) * 100 + rng.integers(1, 5, n)
    out = []
    for i in range(n):
        base = f"{ROADS[road[i]]}{number[i]}号"
        if style[i] == 0:
            out.append(f"{base}{building[i]}栋{unit[i]}单元{room[i]}室")
        elif style[i] == 1:
            out.append(f"{base}{ESTATES[estate[i]]}{building[i]}号楼{room[i]}")
        else:
            out.append(f"{base}{room[i]}室")
    return out


def landline_e164(city: int, local: int) -> str:
    """+86 area local; ``local`` is an 8-digit number (leading digit 2-8)."""
    return f"+86{CITIES[city].area_code}{local}"


def landline_raw(rng_choice: int, city: int, local: int) -> str:
    """The same landline as people write it."""
    area = "0" + CITIES[city].area_code
    text = str(local)
    styles = (
        f"{area}-{text}",
        f"({area}) {text[:4]} {text[4:]}",
        f"{area}{text}",
        f"+86 {CITIES[city].area_code} {text}",
    )
    return styles[rng_choice % len(styles)]
