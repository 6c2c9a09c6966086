"""The payers the group bills, with the habits that shape its revenue cycle.

Names and X12 ids are invented. Each payer differs in what it allows (a multiple of the
reference rate), how fast it pays, how long it accepts claims, which services need prior
authorization, how patients share cost, and how readily it denies.
"""

from __future__ import annotations

from dataclasses import dataclass

from .randomness import cumulative

_IMAGING_AND_SCOPES = frozenset({"73721", "73722", "73221", "29881", "93350", "17311"})
_GI_SCOPES = frozenset({"45378", "45380", "45385", "43239"})


@dataclass(frozen=True)
class Payer:
    payer_id: str
    name: str
    payer_type: str
    x12_id: str | None
    filing_code: str  # SBR09 / CLP06
    timely_filing_days: int | None
    allowed_multiplier: float  # allowed = reference rate x this
    pay_lag_median_days: float  # receipt to adjudication
    pay_lag_sigma: float
    pay_weekdays: tuple[int, ...]  # payment runs (Monday = 0)
    payment_method: str  # BPR04
    auth_cpts: frozenset[str]
    copay_primary: int  # dollars at the visit, primary care
    copay_specialist: int
    coinsurance: float
    deductible: int  # dollars per calendar year
    coverage_problem_rate: float  # visits where coverage on file is wrong (churn)
    necessity_rate: float  # medical-necessity / documentation denials, per claim
    coding_scrutiny: float  # multiplies the chance a coding error is caught
    lost_claim_rate: float  # claims never acknowledged until followed up
    prompt_pay_interest: bool  # pays interest (PLB L6) on claims adjudicated late
    sequestration: bool  # CO-253 2% reduction

    @property
    def bills_claims(self) -> bool:
        return self.x12_id is not None


PAYERS: tuple[Payer, ...] = (
    Payer(
        "MCR",
        "Medicare Part B (simulated MAC)",
        "medicare",
        "SIM01",
        "MB",
        365,
        1.0,
        13.0,
        0.15,
        (0, 1, 2, 3, 4),
        "ACH",
        frozenset(),
        0,
        0,
        0.20,
        257,
        0.02,
        0.022,
        1.0,
        0.005,
        False,
        True,
    ),
    Payer(
        "MAL",
        "Lakeshore Medicare Advantage",
        "medicare_advantage",
        "SIM02",
        "16",
        180,
        0.98,
        18.0,
        0.35,
        (1, 4),
        "ACH",
        _IMAGING_AND_SCOPES | {"93306"},
        10,
        40,
        0.20,
        0,
        0.035,
        0.025,
        1.2,
        0.01,
        True,
        False,
    ),
    Payer(
        "MCD",
        "Statewide Medicaid Managed Care",
        "medicaid",
        "SIM03",
        "MC",
        120,
        0.70,
        30.0,
        0.45,
        (2,),
        "ACH",
        _IMAGING_AND_SCOPES | _GI_SCOPES | {"93306"},
        0,
        0,
        0.0,
        0,
        0.09,
        0.02,
        1.1,
        0.02,
        False,
        False,
    ),
    Payer(
        "BRP",
        "BlueRiver PPO",
        "commercial",
        "SIM04",
        "12",
        180,
        1.35,
        19.0,
        0.30,
        (0, 3),
        "ACH",
        _IMAGING_AND_SCOPES,
        25,
        50,
        0.20,
        1_500,
        0.04,
        0.010,
        0.9,
        0.008,
        True,
        False,
    ),
    Payer(
        "SHH",
        "Summit Health HMO",
        "commercial",
        "SIM05",
        "HM",
        90,
        1.15,
        24.0,
        0.35,
        (1,),
        "ACH",
        _IMAGING_AND_SCOPES | _GI_SCOPES | {"93306"},
        20,
        40,
        0.10,
        500,
        0.05,
        0.015,
        1.0,
        0.012,
        True,
        False,
    ),
    Payer(
        "CRC",
        "Crescent Choice Health Plans",
        "commercial",
        "SIM06",
        "CI",
        120,
        1.25,
        31.0,
        0.50,
        (4,),
        "ACH",
        _IMAGING_AND_SCOPES | _GI_SCOPES,
        30,
        60,
        0.25,
        2_500,
        0.05,
        0.032,
        1.6,
        0.04,
        True,
        False,
    ),
    Payer(
        "KWC",
        "Keystone Workers Compensation",
        "workers_comp",
        "SIM07",
        "WC",
        90,
        1.50,
        38.0,
        0.40,
        (3,),
        "CHK",
        _IMAGING_AND_SCOPES | {"20610", "73562", "73030"},
        0,
        0,
        0.0,
        0,
        0.03,
        0.028,
        1.3,
        0.03,
        True,
        False,
    ),
    Payer(
        "SELF",
        "Self-pay",
        "self_pay",
        None,
        "ZZ",
        None,
        0.0,
        0.0,
        0.0,
        (),
        "NON",
        frozenset(),
        0,
        0,
        0.0,
        0,
        0.0,
        0.0,
        0.0,
        0.0,
        False,
        False,
    ),
)

PAYER_INDEX = {p.payer_id: i for i, p in enumerate(PAYERS)}
MCR, MAL, MCD, BRP, SHH, CRC, KWC, SELF = range(len(PAYERS))

# Payer mix by age band: index lists into PAYERS with cumulative weights.
_UNDER_65 = ((BRP, SHH, CRC, MCD, SELF, MCR), (0.28, 0.20, 0.15, 0.27, 0.07, 0.03))
_SENIOR = ((MCR, MAL, BRP, SELF), (0.55, 0.40, 0.04, 0.01))
_CHILD = ((MCD, BRP, SHH, CRC, SELF), (0.45, 0.24, 0.16, 0.12, 0.03))
PAYER_MIX = {
    band: (payers, cumulative(weights))
    for band, (payers, weights) in {"child": _CHILD, "adult": _UNDER_65, "senior": _SENIOR}.items()
}

# New orthopedic adults arriving with a work injury.
WORK_INJURY_SHARE = 0.09


def age_band(age: int) -> str:
    return "child" if age < 18 else "senior" if age >= 65 else "adult"
