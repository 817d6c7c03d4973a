"""The demo company's catalogue: about 120 products of architectural hardware and their units.

Prices and costs are in CNY per base unit. A product's cost rises once a year, on 1 March, when
the factory's suppliers reprice metal, and its list price follows on the same day: the list
price is the cost over the product's cost ratio (57-67%), so gross margin depends on discounts
and the mix of products, never on the date.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from kam.demo.ledger.columns import UNITS, DemoConversion, DemoProduct, FloatArray, IntArray
from kam.demo.ledger.timeline import Calendar

# code: (category, base unit, [(product, CNY list price per base unit)], [(finish, factor)])
CATALOGUE = {
    "DH": (
        "door handles",
        "piece",
        [
            ("Lever handle on round rose", 68),
            ("Lever handle on square rose", 75),
            ("Lever handle on backplate", 95),
            ("Pull handle 300 mm", 120),
            ("Pull handle 800 mm", 260),
            ("Flush pull", 38),
            ("Knob on rose", 55),
            ("Hotel lever set", 140),
        ],
        [("satin stainless", 1.0), ("matt black", 1.1), ("brushed brass", 1.45)],
    ),
    "HG": (
        "hinges",
        "piece",
        [
            ("Butt hinge 100 x 75 mm", 14),
            ("Ball-bearing hinge 102 mm", 26),
            ("Concealed door hinge 3D", 118),
            ("Spring hinge", 42),
            ("Pivot hinge", 150),
            ("Rising butt hinge", 30),
        ],
        [("satin stainless", 1.0), ("matt black", 1.12), ("polished brass", 1.5)],
    ),
    "LK": (
        "locks",
        "piece",
        [
            ("Mortice sash lock 55 mm", 88),
            ("Mortice deadlock", 76),
            ("Euro cylinder 70 mm", 52),
            ("Thumbturn cylinder", 64),
            ("Bathroom privacy lock", 70),
            ("Hotel RFID lock", 980),
            ("Smart lock with keypad", 1480),
            ("Night latch", 110),
            ("Padlock 50 mm", 46),
        ],
        [("standard", 1.0), ("fire-rated", 1.25)],
    ),
    "CF": (
        "cabinet fittings",
        "piece",
        [
            ("Soft-close cabinet hinge", 6.5),
            ("Full-extension drawer slide 450 mm", 38),
            ("Undermount drawer slide 500 mm", 72),
            ("Cabinet handle 128 mm", 12),
            ("Cabinet knob", 5.5),
            ("Lift-up mechanism", 145),
            ("Push-to-open latch", 4.2),
            ("Wardrobe rail 1 m", 22),
        ],
        [("nickel", 1.0), ("matt black", 1.15), ("champagne gold", 1.3)],
    ),
    "SS": (
        "sliding systems",
        "set",
        [
            ("Barn door kit 2 m", 420),
            ("Soft-close sliding kit 80 kg", 560),
            ("Pocket door kit", 690),
            ("Wardrobe sliding system 2-door", 380),
            ("Glass sliding kit 100 kg", 880),
            ("Folding door kit 4-panel", 1250),
        ],
        [("silver", 1.0), ("black", 1.1)],
    ),
    "GF": (
        "glass fittings",
        "piece",
        [
            ("Glass door patch fitting", 210),
            ("Spider fitting 4-arm", 260),
            ("Glass clamp", 32),
            ("Shower hinge glass-to-wall", 88),
            ("Balustrade spigot", 145),
            ("Glass door floor spring", 480),
            ("Glass towel-bar pull", 150),
        ],
        [("satin stainless", 1.0), ("polished stainless", 1.08)],
    ),
    "BA": (
        "bathroom accessories",
        "piece",
        [
            ("Towel rail 600 mm", 95),
            ("Robe hook", 19),
            ("Toilet roll holder", 36),
            ("Grab bar 600 mm", 120),
            ("Soap dish", 28),
            ("Shower shelf", 58),
            ("Glass shelf 500 mm", 72),
            ("Towel ring", 42),
        ],
        [("chrome", 1.0), ("matt black", 1.15)],
    ),
}
CATEGORY_MIX = {  # share of an industry's purchases per category, in CATALOGUE order
    "furniture": [0.10, 0.20, 0.05, 0.45, 0.15, 0.03, 0.02],
    "construction": [0.25, 0.15, 0.20, 0.05, 0.10, 0.15, 0.10],
    "distribution": [0.18, 0.18, 0.14, 0.20, 0.08, 0.10, 0.12],
    "hospitality": [0.20, 0.10, 0.30, 0.02, 0.03, 0.05, 0.30],
}
# Base units per unit of sale, for every product...
GLOBAL_FACTORS = {"box": 10, "carton": 50, "pallet": 1200}
# ...and for the categories with their own packaging (no boxes of sliding kits).
CATEGORY_FACTORS = {"LK": {"carton": 20, "pallet": 480}, "SS": {"carton": 5, "pallet": 60}}
NO_BOXES = {"SS"}
# industry: (chance of a pallet, of a carton, of a box) when the quantity fills one
UNIT_HABITS = {
    "furniture": (0.10, 0.50, 0.70),
    "construction": (0.25, 0.65, 0.50),
    "distribution": (0.50, 0.85, 0.60),
    "hospitality": (0.02, 0.20, 0.30),
}


def build_catalogue(
    rng: np.random.Generator, calendar: Calendar
) -> tuple[list[DemoProduct], FloatArray, FloatArray, IntArray]:
    """The products, and their list prices, costs and categories as arrays for pricing.

    Prices and costs are (product, epoch) arrays (Calendar.epochs: the start of the ledger,
    then each 1 March); categories index CATALOGUE.
    """
    epochs = calendar.epochs
    products, prices, costs, categories = [], [], [], []
    for category_index, (prefix, (category, unit, items, finishes)) in enumerate(CATALOGUE.items()):
        number = 0
        for item, base_price in items:
            for finish, factor in finishes:
                number += 1
                ratio = float(rng.uniform(0.57, 0.67))
                price = round(base_price * factor * float(rng.uniform(0.95, 1.05)), 2)
                cost_row, price_row = [], []
                for epoch in range(len(epochs)):
                    if epoch:
                        price = round(price * (1 + float(rng.uniform(0.02, 0.06))), 2)
                    cost_row.append(round(price * ratio, 4))
                    price_row.append(price)
                products.append(
                    DemoProduct(
                        code=f"{prefix}-{number:03d}",
                        name=f"{item}, {finish}",
                        category=category,
                        base_unit=unit,
                        costs=tuple(
                            (d, Decimal(f"{c:.4f}")) for d, c in zip(epochs, cost_row, strict=True)
                        ),
                        list_prices=tuple(
                            (d, Decimal(f"{p:.2f}")) for d, p in zip(epochs, price_row, strict=True)
                        ),
                    )
                )
                prices.append(price_row)
                costs.append(cost_row)
                categories.append(category_index)
    return products, np.array(prices), np.array(costs), np.array(categories, dtype=np.int64)


def conversions(products: list[DemoProduct]) -> list[DemoConversion]:
    """The global units of sale, then the products' own (locks and sliding systems)."""
    rows = [DemoConversion(None, unit, factor) for unit, factor in GLOBAL_FACTORS.items()]
    for product in products:
        for unit, factor in CATEGORY_FACTORS.get(product.code[:2], {}).items():
            rows.append(DemoConversion(product.code, unit, factor))
    return rows


def units_of_sale(
    rng: np.random.Generator,
    wanted: FloatArray,
    account: IntArray,
    industries: list[str],
    product: IntArray,
    category: IntArray,
) -> tuple[IntArray, IntArray, IntArray]:
    """The unit of sale, quantity and base quantity of each line, from the base units wanted.

    ``account`` is each line's buyer, ``industries`` each buyer's industry, ``product`` each
    line's product and ``category`` each product's category (index into CATALOGUE).
    """
    codes = list(CATALOGUE)
    factors = np.ones((len(category), len(UNITS)))
    for j, c in enumerate(category):
        own = CATEGORY_FACTORS.get(codes[c], {})
        for u, unit_name in enumerate(UNITS[1:], start=1):
            factors[j, u] = own.get(unit_name, GLOBAL_FACTORS[unit_name])
        if codes[c] in NO_BOXES:
            factors[j, 1] = 0
    line_habits = np.array([UNIT_HABITS[i] for i in industries])[account]
    line_factors = factors[product]
    n = len(product)
    draw = rng.random((n, 3))
    unit = np.zeros(n, dtype=np.int64)
    # Largest unit first: a line goes by the pallet if it fills most of one and the buyer
    # buys that way, else by the carton, else by the box, else in base units.
    for u, habit in ((3, 0), (2, 1), (1, 2)):
        fits = (line_factors[:, u] > 0) & (wanted >= 0.8 * line_factors[:, u])
        unit[(unit == 0) & fits & (draw[:, habit] < line_habits[:, habit])] = u
    factor = line_factors[np.arange(n), unit].astype(np.int64)
    quantity = np.maximum(1, np.rint(wanted / factor)).astype(np.int64)
    return unit, quantity, quantity * factor
