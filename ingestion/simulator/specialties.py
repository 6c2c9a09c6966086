"""What each specialty sees and bills: visit mix, E/M levels, procedures and fitting diagnoses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from .randomness import cumulative

# Indexes into contracts.APPOINTMENT_TYPES.
NEW, ESTABLISHED, PROCEDURE, FOLLOW_UP, TELEHEALTH = range(5)


@dataclass(frozen=True)
class Service:
    """A billable service with the diagnoses that justify it.

    `needs_25`: billed on the same day as an E/M, the E/M needs modifier 25 or the payer
    bundles it (CARC 97). `lateral`: needs RT/LT (CARC 4 when missing). `performed_instead`: the
    code done when findings change the plan in the room (the auth covers the planned code).
    """

    cpt: str
    diagnoses: tuple[str, ...]
    units: tuple[int, int] = (1, 1)
    needs_25: bool = False
    lateral: bool = False
    add_on: tuple[str, tuple[int, int], float] | None = None  # code, units range, probability
    place_of_service: str = "11"
    slots: int = 2
    performed_instead: str | None = None
    change_rate: float = 0.0


@dataclass(frozen=True)
class Specialty:
    name: str
    primary_care: bool
    slot_minutes: int
    visit_mix: tuple[float, ...]  # per APPOINTMENT_TYPES
    new_em: tuple[tuple[str, float], ...]
    established_em: tuple[tuple[str, float], ...]
    diagnoses: tuple[str, ...]  # office-visit diagnoses, most common first
    in_office: tuple[tuple[Service, float], ...]  # service, share of office visits
    procedures: tuple[tuple[Service, float], ...]
    age_mean: float
    age_sd: float
    age_range: tuple[int, int]
    follow_up_weeks: tuple[int, int]
    referral_wait_days: float  # median wait between referral and booking, new patients
    demand_load: float  # requests relative to bookable capacity
    share: float  # share of the group's providers

    @cached_property
    def visit_mix_cum(self) -> tuple[float, ...]:
        return cumulative(self.visit_mix)

    @cached_property
    def procedure_table(self) -> tuple[tuple[Service, ...], tuple[float, ...]]:
        return tuple(s for s, _ in self.procedures), cumulative([w for _, w in self.procedures])


def _svc(cpt: str, *dx: str, **kw) -> Service:
    return Service(cpt, tuple(dx), **kw)


_PRIMARY_DX = ("I10", "E11.9", "E78.5", "J06.9", "M54.50", "F41.1", "E66.9", "K21.9", "Z00.00")
_PRIMARY_IN_OFFICE = (
    (_svc("36415", "E11.9", "E78.5", slots=1), 0.22),
    (_svc("81002", "N39.0", slots=1), 0.06),
    (_svc("93000", "R00.2", "I10", slots=1), 0.05),
    (_svc("69210", "H61.21", needs_25=True, slots=1), 0.03),
    (_svc("90471", "Z23", add_on=("90686", (1, 1), 1.0), slots=1), 0.08),
)
_VACCINES = _svc("90460", "Z23", add_on=("90700", (1, 1), 1.0), slots=1)
_KNEE_INJECTION = _svc(
    "20610", "M17.11", "M17.12", lateral=True, slots=1, add_on=("J3301", (40, 40), 1.0)
)
_KNEE_INJECTION_AT_VISIT = replace(_KNEE_INJECTION, needs_25=True)
_PRIMARY_PROCEDURES = (
    (_svc("17110", "B07.9", slots=1), 0.55),
    (_svc("69210", "H61.21", slots=1), 0.45),
)

# fmt: off
_SPECIALTY_LIST = (
    Specialty(
        name="family_medicine", primary_care=True, slot_minutes=20,
        visit_mix=(0.12, 0.50, 0.03, 0.22, 0.13),
        new_em=(("99203", 0.35), ("99204", 0.45), ("99202", 0.2)),
        established_em=(("99213", 0.45), ("99214", 0.35), ("99215", 0.05), ("99212", 0.05),
                        ("99396", 0.1)),
        diagnoses=_PRIMARY_DX, in_office=_PRIMARY_IN_OFFICE, procedures=_PRIMARY_PROCEDURES,
        age_mean=44, age_sd=19, age_range=(18, 95), follow_up_weeks=(4, 16),
        referral_wait_days=1.0, demand_load=1.00, share=0.28,
    ),
    Specialty(
        name="internal_medicine", primary_care=True, slot_minutes=20,
        visit_mix=(0.10, 0.50, 0.02, 0.28, 0.10),
        new_em=(("99204", 0.55), ("99205", 0.15), ("99203", 0.3)),
        established_em=(("99214", 0.50), ("99213", 0.30), ("99215", 0.10), ("99397", 0.1)),
        diagnoses=_PRIMARY_DX, in_office=_PRIMARY_IN_OFFICE, procedures=_PRIMARY_PROCEDURES,
        age_mean=58, age_sd=15, age_range=(19, 97), follow_up_weeks=(6, 16),
        referral_wait_days=2.0, demand_load=1.02, share=0.14,
    ),
    Specialty(
        name="pediatrics", primary_care=True, slot_minutes=20,
        visit_mix=(0.15, 0.62, 0.05, 0.13, 0.05),
        new_em=(("99203", 0.6), ("99204", 0.4)),
        established_em=(("99213", 0.40), ("99214", 0.15), ("99383", 0.15), ("99384", 0.1),
                        ("99393", 0.2)),
        diagnoses=("Z00.129", "J06.9", "H66.90", "J02.9", "L20.9", "R50.9"),
        in_office=((_VACCINES, 0.28), (_svc("96110", "Z13.42", slots=1), 0.10)),
        procedures=((_VACCINES, 1.0),),
        age_mean=7, age_sd=5, age_range=(0, 17), follow_up_weeks=(8, 26),
        referral_wait_days=1.0, demand_load=0.98, share=0.10,
    ),
    Specialty(
        name="cardiology", primary_care=False, slot_minutes=30,
        visit_mix=(0.20, 0.22, 0.28, 0.25, 0.05),
        new_em=(("99204", 0.55), ("99205", 0.45)),
        established_em=(("99214", 0.60), ("99215", 0.25), ("99213", 0.15)),
        diagnoses=("I25.10", "I48.91", "I50.9", "I10", "R07.9", "R00.2", "I35.0"),
        in_office=((_svc("93000", "I48.91", "R00.2", "I25.10", slots=1), 0.55),),
        procedures=((_svc("93306", "I50.9", "I35.0", "I48.91", "R07.9"), 0.45),
                    (_svc("93350", "R07.9", "I25.10"), 0.25),
                    (_svc("93224", "R00.2", "I48.91", slots=1), 0.30)),
        age_mean=66, age_sd=12, age_range=(30, 97), follow_up_weeks=(8, 26),
        referral_wait_days=9.0, demand_load=1.10, share=0.12,
    ),
    Specialty(
        name="orthopedics", primary_care=False, slot_minutes=20,
        visit_mix=(0.30, 0.18, 0.25, 0.25, 0.02),
        new_em=(("99203", 0.45), ("99204", 0.55)),
        established_em=(("99213", 0.55), ("99214", 0.45)),
        diagnoses=("M17.11", "M17.12", "M25.561", "M75.101", "S83.241A", "M54.16", "M79.671"),
        in_office=((_svc("73562", "M25.561", "M17.11", lateral=True, slots=1), 0.30),
                   (_svc("73030", "M75.101", lateral=True, slots=1), 0.12),
                   (_KNEE_INJECTION_AT_VISIT, 0.15)),
        procedures=((_svc("73721", "M25.561", "S83.241A", "M17.11", lateral=True,
                          performed_instead="73722", change_rate=0.12), 0.35),
                    (_svc("73221", "M75.101", "M25.511", lateral=True), 0.15),
                    (_KNEE_INJECTION, 0.38),
                    (_svc("29881", "S83.241A", lateral=True, place_of_service="22", slots=4),
                     0.12)),
        age_mean=52, age_sd=17, age_range=(16, 92), follow_up_weeks=(4, 12),
        referral_wait_days=7.0, demand_load=1.10, share=0.13,
    ),
    Specialty(
        name="dermatology", primary_care=False, slot_minutes=15,
        visit_mix=(0.30, 0.30, 0.22, 0.15, 0.03),
        new_em=(("99203", 0.7), ("99204", 0.3)),
        established_em=(("99213", 0.7), ("99214", 0.3)),
        diagnoses=("L57.0", "L82.1", "L70.0", "L40.0", "D22.5", "L30.9", "D48.5"),
        in_office=((_svc("11102", "D48.5", needs_25=True, slots=1,
                         add_on=("11103", (1, 2), 0.3)), 0.22),
                   (_svc("17000", "L57.0", needs_25=True, slots=1,
                         add_on=("17003", (2, 9), 0.6)), 0.2)),
        procedures=((_svc("11102", "D48.5", "L82.1", add_on=("11103", (1, 3), 0.4)), 0.30),
                    (_svc("17000", "L57.0", add_on=("17003", (2, 12), 0.7)), 0.30),
                    (_svc("11402", "D22.5", "L72.3"), 0.22),
                    (_svc("17311", "C44.311", "C44.41", slots=4), 0.18)),
        age_mean=50, age_sd=18, age_range=(12, 95), follow_up_weeks=(12, 52),
        referral_wait_days=10.0, demand_load=1.20, share=0.10,
    ),
    Specialty(
        name="gastroenterology", primary_care=False, slot_minutes=30,
        visit_mix=(0.28, 0.12, 0.40, 0.17, 0.03),
        new_em=(("99204", 0.65), ("99203", 0.35)),
        established_em=(("99214", 0.6), ("99213", 0.4)),
        diagnoses=("K21.9", "K58.9", "R10.9", "K50.90", "K57.30", "R19.5"),
        in_office=((_svc("36415", "K50.90", slots=1), 0.10),),
        procedures=((_svc("45378", "Z12.11", "R19.5", "K92.1", place_of_service="22",
                          performed_instead="45385", change_rate=0.25), 0.35),
                    (_svc("45380", "K63.5", "D12.6", place_of_service="22"), 0.15),
                    (_svc("45385", "D12.6", "K63.5", place_of_service="22"), 0.15),
                    (_svc("43239", "K21.9", "R10.13", "K25.9", place_of_service="22"), 0.35)),
        age_mean=56, age_sd=13, age_range=(25, 90), follow_up_weeks=(8, 52),
        referral_wait_days=12.0, demand_load=1.15, share=0.13,
    ),
)
# fmt: on
SPECIALTIES: dict[str, Specialty] = {s.name: s for s in _SPECIALTY_LIST}
SPECIALTY_NAMES = tuple(SPECIALTIES)


def weighted_codes(
    pairs: tuple[tuple[str, float], ...],
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(code for code, _ in pairs), cumulative([w for _, w in pairs])
