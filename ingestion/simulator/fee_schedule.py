"""The practice's charge master and a Medicare-like reference rate per CPT/HCPCS code.

Charges are what the practice bills; payers allow a multiple of the reference rate (see
payers.py), so the contractual adjustment CO-45 is charge - allowed. Amounts are cents per unit.
Rates are round approximations of national non-facility rates, not a published schedule.
"""

from __future__ import annotations

# code: (charge per unit, reference allowed per unit), cents
FEES: dict[str, tuple[int, int]] = {
    # evaluation and management
    "99202": (16_000, 7_300),
    "99203": (24_500, 11_200),
    "99204": (36_500, 16_700),
    "99205": (48_000, 22_100),
    "99212": (12_500, 5_700),
    "99213": (19_500, 9_100),
    "99214": (28_000, 12_900),
    "99215": (39_500, 18_200),
    "99383": (25_000, 11_500),
    "99384": (27_500, 12_500),
    "99393": (24_000, 11_000),
    "99396": (30_500, 14_000),
    "99397": (32_500, 15_000),
    # deleted in 2021: billing it is a coding error the payer rejects (CARC 181)
    "99201": (11_000, 0),
    # primary care in-office services
    "36415": (2_500, 300),
    "81002": (2_000, 350),
    "93000": (6_000, 1_700),
    "69210": (12_000, 4_500),
    "17110": (21_000, 11_000),
    "90471": (4_500, 1_700),
    "90686": (5_500, 2_000),
    "90460": (5_000, 2_500),
    "90700": (6_000, 2_500),
    "96110": (3_000, 1_000),
    # cardiology
    "93306": (95_000, 21_000),
    "93350": (110_000, 22_000),
    "93224": (29_000, 7_500),
    # orthopedics
    "20610": (23_000, 6_200),
    "20550": (19_000, 5_000),
    "J3301": (400, 150),  # per 1 mg of triamcinolone
    "73562": (16_000, 3_800),
    "73030": (14_000, 3_300),
    "73721": (180_000, 21_500),
    "73722": (210_000, 26_000),
    "73221": (180_000, 21_500),
    "29881": (420_000, 52_000),
    # dermatology
    "11102": (26_000, 9_500),
    "11103": (12_000, 5_000),
    "17000": (18_500, 6_500),
    "17003": (1_800, 600),
    "11402": (42_000, 15_000),
    "17311": (240_000, 65_000),
    # gastroenterology
    "45378": (210_000, 23_000),
    "45380": (250_000, 27_000),
    "45385": (280_000, 30_000),
    "43239": (180_000, 15_000),
}

# Self-pay patients get a posted discount off charges instead of a payer contract.
SELF_PAY_DISCOUNT = 0.45


def charge_cents(code: str, units: int) -> int:
    return FEES[code][0] * units


def reference_cents(code: str, units: int) -> int:
    return FEES[code][1] * units
