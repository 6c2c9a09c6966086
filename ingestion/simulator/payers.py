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
    x12_id: str | None  # None: never billed (self-pay)
    filing_code: str  # SBR09 / CLP06
    timely_filing_days: int | None
    allowed_multiplier: float  # allowed = reference rate x this
    pay_lag_median_days: float  # receipt to adjudication
    pay_weekdays: tuple[int, ...]  # payment runs (Monday = 0)
    coverage_problem_rate: float  # visits where the coverage on file is wrong (churn)
    necessity_rate: float  # medical-necessity / documentation denials, per claim
    lost_claim_rate: float  # claims never acknowledged until followed up
    auth_cpts: frozenset[str] = frozenset()
    pay_lag_sigma: float = 0.35
    payment_method: str = "ACH"  # BPR04
    copay_primary: int = 0  # dollars at the visit, primary care
    copay_specialist: int = 0
    coinsurance: float = 0.0
    deductible: int = 0  # dollars per calendar year
    coding_scrutiny: float = 1.0  # multiplies the chance a coding error is caught
    prompt_pay_interest: bool = True  # pays interest (PLB L6) on claims adjudicated late
    sequestration: bool = False  # CO-253 2% reduction

    @property
    def bills_claims(self) -> bool:
        return self.x12_id is not None


# fmt: off
PAYERS: tuple[Payer, ...] = (
    Payer(
        payer_id="MCR", name="Medicare Part B (simulated MAC)", payer_type="medicare",
        x12_id="SIM01", filing_code="MB", timely_filing_days=365, allowed_multiplier=1.0,
        pay_lag_median_days=13.0, pay_lag_sigma=0.15, pay_weekdays=(0, 1, 2, 3, 4),
        coinsurance=0.20, deductible=257, coverage_problem_rate=0.02, necessity_rate=0.022,
        lost_claim_rate=0.005, prompt_pay_interest=False, sequestration=True,
    ),
    Payer(
        payer_id="MAL", name="Lakeshore Medicare Advantage", payer_type="medicare_advantage",
        x12_id="SIM02", filing_code="16", timely_filing_days=180, allowed_multiplier=0.98,
        pay_lag_median_days=18.0, pay_weekdays=(1, 4),
        auth_cpts=_IMAGING_AND_SCOPES | {"93306"}, copay_primary=10, copay_specialist=40,
        coinsurance=0.20, coverage_problem_rate=0.035, necessity_rate=0.025,
        coding_scrutiny=1.2, lost_claim_rate=0.01,
    ),
    Payer(
        payer_id="MCD", name="Statewide Medicaid Managed Care", payer_type="medicaid",
        x12_id="SIM03", filing_code="MC", timely_filing_days=120, allowed_multiplier=0.70,
        pay_lag_median_days=30.0, pay_lag_sigma=0.45, pay_weekdays=(2,),
        auth_cpts=_IMAGING_AND_SCOPES | _GI_SCOPES | {"93306"}, coverage_problem_rate=0.09,
        necessity_rate=0.02, coding_scrutiny=1.1, lost_claim_rate=0.02,
        prompt_pay_interest=False,
    ),
    Payer(
        payer_id="BRP", name="BlueRiver PPO", payer_type="commercial", x12_id="SIM04",
        filing_code="12", timely_filing_days=180, allowed_multiplier=1.35,
        pay_lag_median_days=19.0, pay_lag_sigma=0.30, pay_weekdays=(0, 3),
        auth_cpts=_IMAGING_AND_SCOPES, copay_primary=25, copay_specialist=50, coinsurance=0.20,
        deductible=1_500, coverage_problem_rate=0.04, necessity_rate=0.010,
        coding_scrutiny=0.9, lost_claim_rate=0.008,
    ),
    Payer(
        payer_id="SHH", name="Summit Health HMO", payer_type="commercial", x12_id="SIM05",
        filing_code="HM", timely_filing_days=90, allowed_multiplier=1.15,
        pay_lag_median_days=24.0, pay_weekdays=(1,),
        auth_cpts=_IMAGING_AND_SCOPES | _GI_SCOPES | {"93306"}, copay_primary=20,
        copay_specialist=40, coinsurance=0.10, deductible=500, coverage_problem_rate=0.05,
        necessity_rate=0.015, lost_claim_rate=0.012,
    ),
    Payer(
        payer_id="CRC", name="Crescent Choice Health Plans", payer_type="commercial",
        x12_id="SIM06", filing_code="CI", timely_filing_days=120, allowed_multiplier=1.25,
        pay_lag_median_days=31.0, pay_lag_sigma=0.50, pay_weekdays=(4,),
        auth_cpts=_IMAGING_AND_SCOPES | _GI_SCOPES, copay_primary=30, copay_specialist=60,
        coinsurance=0.25, deductible=2_500, coverage_problem_rate=0.05, necessity_rate=0.032,
        coding_scrutiny=1.6, lost_claim_rate=0.04,
    ),
    Payer(
        payer_id="KWC", name="Keystone Workers Compensation", payer_type="workers_comp",
        x12_id="SIM07", filing_code="WC", timely_filing_days=90, allowed_multiplier=1.50,
        pay_lag_median_days=38.0, pay_lag_sigma=0.40, pay_weekdays=(3,), payment_method="CHK",
        auth_cpts=_IMAGING_AND_SCOPES | {"20610", "73562", "73030"},
        coverage_problem_rate=0.03, necessity_rate=0.028, coding_scrutiny=1.3,
        lost_claim_rate=0.03,
    ),
    Payer(
        payer_id="SELF", name="Self-pay", payer_type="self_pay", x12_id=None, filing_code="ZZ",
        timely_filing_days=None, allowed_multiplier=0.0, pay_lag_median_days=0.0,
        pay_weekdays=(), coverage_problem_rate=0.0, necessity_rate=0.0, lost_claim_rate=0.0,
        payment_method="NON", prompt_pay_interest=False,
    ),
)

# fmt: on

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
