"""The demo catalogue: a category tree, a few hundred products with prices and costs,
carriers (one small, unreliable one) and warehouses. Small, so it goes through the ORM; codes
and SKUs are stable, so a second run reuses what the first one created."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import transaction

from hudong.commerce.models import Carrier, Category, Product, Warehouse
from hudong.core.models import Region
from hudong.demo.names import words


@dataclass(frozen=True)
class Leaf:
    code: str
    name: str
    price: tuple[float, float]  # list price range, yuan (log-uniform)
    margin: tuple[float, float]
    returns: float  # relative return propensity
    warranty: int
    brands: tuple[str, ...]


# top category | name, then its leaves:
#   code | name | list price range (yuan, log-uniform) | margin range | return propensity |
#   warranty months | brands
TREE_TEXT = """
electronics | 数码电器 Electronics
  phones | 手机 Phones | 999-8999 | 0.08-0.2 | 1.3 | 12 | 华为 小米 OPPO vivo 荣耀 Apple
  laptops | 笔记本电脑 Laptops | 3499-14999 | 0.06-0.15 | 1.5 | 24 | 联想 华为 戴尔 惠普 Apple
  tablets | 平板 Tablets | 1299-6999 | 0.08-0.18 | 1.3 | 12 | 华为 小米 Apple 联想
  headphones | 耳机 Headphones | 99-2499 | 0.25-0.5 | 1.6 | 12 | 索尼 漫步者 Bose 华为 小米
  cameras | 相机 Cameras | 1999-19999 | 0.08-0.18 | 1.4 | 24 | 佳能 尼康 索尼 富士 大疆
  printers | 打印机 Printers | 599-4999 | 0.12-0.3 | 1.0 | 12 | 惠普 佳能 爱普生 兄弟
appliances | 家用电器 Home appliances
  kitchen | 厨房电器 Kitchen appliances | 199-3999 | 0.2-0.4 | 1.1 | 12 | 美的 九阳 苏泊尔 方太
  cleaning | 清洁电器 Cleaning | 299-4999 | 0.2-0.4 | 1.2 | 12 | 科沃斯 石头 戴森 追觅
  air | 空调 Air conditioners | 2499-9999 | 0.1-0.22 | 0.8 | 36 | 格力 美的 海尔 海信
  tv | 电视 Televisions | 1999-15999 | 0.08-0.2 | 1.1 | 24 | 海信 TCL 创维 小米 索尼
apparel | 服装鞋靴 Apparel
  women | 女装 Womenswear | 79-1299 | 0.45-0.7 | 3.2 | 0 | 优衣库 ZARA 太平鸟 欧时力
  men | 男装 Menswear | 99-1599 | 0.45-0.7 | 2.6 | 0 | 海澜之家 优衣库 雅戈尔 杰克琼斯
  kids | 童装 Kidswear | 49-499 | 0.45-0.65 | 2.4 | 0 | 巴拉巴拉 安奈儿 优衣库
  shoes | 鞋靴 Shoes | 129-1499 | 0.4-0.65 | 3.0 | 0 | 耐克 阿迪达斯 李宁 安踏 百丽
beauty | 美妆个护 Beauty
  skincare | 护肤 Skincare | 69-1999 | 0.5-0.75 | 0.9 | 0 | 兰蔻 雅诗兰黛 百雀羚 自然堂
  makeup | 彩妆 Makeup | 49-699 | 0.55-0.75 | 1.0 | 0 | 完美日记 花西子 MAC 迪奥
  haircare | 洗护 Hair care | 29-299 | 0.4-0.6 | 0.6 | 0 | 海飞丝 潘婷 阿道夫 施华蔻
food | 食品饮料 Food & drink
  tea | 茶叶 Tea | 59-1999 | 0.4-0.7 | 0.3 | 0 | 八马 大益 竹叶青 小罐茶
  snacks | 零食 Snacks | 19-199 | 0.3-0.5 | 0.2 | 0 | 三只松鼠 良品铺子 百草味
  wine | 酒水 Wine & spirits | 69-2999 | 0.25-0.5 | 0.4 | 0 | 茅台 五粮液 张裕 长城
  fresh | 生鲜 Fresh food | 39-599 | 0.15-0.35 | 0.5 | 0 | 盒马 百果园 恒都
home | 家居家纺 Home
  bedding | 床品 Bedding | 99-1999 | 0.4-0.6 | 1.4 | 0 | 罗莱 富安娜 水星 梦洁
  furniture | 家具 Furniture | 499-9999 | 0.25-0.45 | 1.2 | 24 | 宜家 顾家 林氏木业 全友
  kitchenware | 厨具 Kitchenware | 39-899 | 0.35-0.55 | 0.9 | 12 | 苏泊尔 双立人 爱仕达
sports | 运动户外 Sports & outdoor
  fitness | 健身 Fitness | 59-4999 | 0.3-0.5 | 1.3 | 12 | Keep 舒华 迪卡侬
  outdoor | 户外 Outdoor | 99-2999 | 0.35-0.55 | 1.4 | 12 | 探路者 北面 凯乐石 迪卡侬
  cycling | 骑行 Cycling | 299-6999 | 0.2-0.4 | 1.1 | 12 | 捷安特 美利达 喜德盛
baby | 母婴 Mother & baby
  formula | 奶粉 Formula | 199-499 | 0.15-0.3 | 0.3 | 0 | 飞鹤 美赞臣 爱他美 君乐宝
  diapers | 纸尿裤 Diapers | 59-199 | 0.2-0.35 | 0.5 | 0 | 帮宝适 花王 好奇 babycare
  toys | 玩具 Toys | 29-1299 | 0.4-0.6 | 1.0 | 0 | 乐高 费雪 奥迪双钻 贝恩施
"""


def _parse_tree(text: str) -> list[tuple[str, str, list[Leaf]]]:
    tree: list[tuple[str, str, list[Leaf]]] = []
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if not line.startswith(" "):
            tree.append((cells[0], cells[1], []))
            continue
        code, name, price, margin, returns, warranty, brands = cells
        lo, hi = (float(x) for x in price.split("-"))
        m_lo, m_hi = (float(x) for x in margin.split("-"))
        leaf = Leaf(
            code, name, (lo, hi), (m_lo, m_hi), float(returns), int(warranty), tuple(brands.split())
        )
        tree[-1][2].append(leaf)
    return tree


TREE = _parse_tree(TREE_TEXT)

MODELS = words("Pro Max Lite Air Plus S X Neo 经典款 旗舰款 青春版 尊享版")

# code, name, tracking URL template, share of shipments, late rate, promised days
CARRIERS: list[tuple[str, str, str, float, float, int]] = [
    ("sf", "顺丰速运 SF Express", "https://www.sf-express.com/?no={}", 0.25, 0.03, 2),
    ("zto", "中通快递 ZTO", "https://www.zto.com/?no={}", 0.23, 0.06, 3),
    ("yto", "圆通速递 YTO", "https://www.yto.net.cn/?no={}", 0.20, 0.06, 3),
    ("yunda", "韵达快递 Yunda", "https://www.yundaex.com/?no={}", 0.16, 0.07, 3),
    ("jd", "京东物流 JD Logistics", "https://www.jdl.com/?no={}", 0.13, 0.03, 2),
    ("suda", "速达快运 SuDa", "", 0.03, 0.50, 3),
]
# code, name, region code
WAREHOUSES = [
    ("sh-jiading", "上海嘉定仓 Shanghai", "east"),
    ("bj-daxing", "北京大兴仓 Beijing", "north"),
    ("gz-baiyun", "广州白云仓 Guangzhou", "south"),
    ("cd-shuangliu", "成都双流仓 Chengdu", "west"),
    ("wh-central", "武汉中心仓 Wuhan", ""),
]


@dataclass
class Catalog:
    """What the order generator needs, as arrays aligned on products sorted by price."""

    product_id: np.ndarray
    price_cents: np.ndarray
    cost_cents: np.ndarray
    returns: np.ndarray  # return propensity of the product's leaf
    carrier_id: np.ndarray
    carrier_code: list[str]
    carrier_share: np.ndarray
    carrier_late: np.ndarray
    carrier_days: np.ndarray
    warehouse_id: np.ndarray
    warehouse_region: list[str]


def _price(rng: np.random.Generator, lo: float, hi: float) -> float:
    p = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
    return float(np.ceil(p / 10) * 10 - 1) if p >= 100 else float(np.ceil(p) - 0.1)


@transaction.atomic
def ensure_catalog(rng: np.random.Generator, regions: dict[str, Region]) -> Catalog:
    """Create the demo categories, products, carriers and warehouses unless they exist."""
    products: list[Product] = []
    returns_by_sku: dict[str, float] = {}
    for top_code, top_name, leaves in TREE:
        top, _ = Category.objects.get_or_create(code=top_code, defaults={"name": top_name})
        for leaf in leaves:
            cat, _ = Category.objects.get_or_create(
                code=f"{top_code}-{leaf.code}", defaults={"name": leaf.name, "parent": top}
            )
            noun = leaf.name.split(" ")[0]
            for k in range(int(rng.integers(10, 17))):
                brand = leaf.brands[int(rng.integers(0, len(leaf.brands)))]
                model = f"{MODELS[int(rng.integers(0, len(MODELS)))]} {int(rng.integers(2, 30))}"
                price = _price(rng, *leaf.price)
                margin = float(rng.uniform(*leaf.margin))
                sku = f"{top_code[:3].upper()}-{leaf.code.upper()}-{k + 1:03d}"
                returns_by_sku[sku] = leaf.returns
                products.append(
                    Product(
                        sku=sku,
                        name=f"{brand} {noun} {model}",
                        category=cat,
                        price=Decimal(f"{price:.2f}"),
                        unit_cost=Decimal(f"{price * (1 - margin):.2f}"),
                        warranty_months=leaf.warranty,
                    )
                )
    Product.objects.bulk_create(products, ignore_conflicts=True)
    for code, name, url, *_ in CARRIERS:
        Carrier.objects.get_or_create(code=code, defaults={"name": name, "tracking_url": url})
    for code, name, region in WAREHOUSES:
        Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "region": regions.get(region)}
        )

    rows = sorted(
        Product.objects.filter(sku__in=list(returns_by_sku)).values_list(
            "id", "sku", "price", "unit_cost"
        ),
        key=lambda r: (r[2], r[1]),
    )
    carriers = {c.code: c.id for c in Carrier.objects.filter(code__in=[c[0] for c in CARRIERS])}
    warehouses = list(
        Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES])
        .order_by("code")
        .values_list("id", "region__code")
    )
    share = np.array([c[3] for c in CARRIERS])
    return Catalog(
        product_id=np.array([r[0] for r in rows], dtype=np.int64),
        price_cents=np.array([round(float(r[2]) * 100) for r in rows], dtype=np.int64),
        cost_cents=np.array([round(float(r[3]) * 100) for r in rows], dtype=np.int64),
        returns=np.array([returns_by_sku[r[1]] for r in rows]),
        carrier_id=np.array([carriers[c[0]] for c in CARRIERS], dtype=np.int64),
        carrier_code=[c[0] for c in CARRIERS],
        carrier_share=share / share.sum(),
        carrier_late=np.array([c[4] for c in CARRIERS]),
        carrier_days=np.array([c[5] for c in CARRIERS]),
        warehouse_id=np.array([w[0] for w in warehouses], dtype=np.int64),
        warehouse_region=[w[1] or "" for w in warehouses],
    )
