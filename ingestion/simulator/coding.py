"""Turning a visit into coded charge lines, mistakes included.

A coding mistake is visible in ehr/charges (a missing modifier 25 or RT/LT, a deleted code, a
diagnosis that does not support the procedure), so a denial it causes can be traced back.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fee_schedule import charge_cents
from .randomness import Draws
from .specialties import NEW, PROCEDURE, TELEHEALTH, Service, Specialty, weighted_codes

DELETED_NEW_PATIENT_CODE = "99201"
UNSUPPORTING_DIAGNOSIS = "Z00.00"
_EM_TABLES: dict[tuple[str, bool], tuple[tuple[str, ...], tuple[float, ...]]] = {}


@dataclass(slots=True)
class Line:
    number: int
    cpt: str
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]  # ICD-10 with the dot, primary first
    units: int
    charge: int  # cents
    flaw: str | None = None  # the coding mistake on this line, if any
    original: Line | None = None  # the line as it should have been coded

    def repaired(self) -> Line:
        return self.original if self.original is not None else self


@dataclass(slots=True)
class CodedVisit:
    lines: list[Line]
    claim_flaw: str | None  # a mistake that is not on one line (incomplete claim)
    performed: str | None  # the procedure actually done, when it differs from the plan

    @property
    def total(self) -> int:
        return sum(line.charge for line in self.lines)


def claim_diagnoses(lines: tuple[Line, ...] | list[Line]) -> tuple[str, ...]:
    """The claim's HI codes (no dot, primary first, at most 12) from its lines."""
    out: list[str] = []
    for line in lines:
        for dx in line.diagnoses:
            code = dx.replace(".", "")
            if code not in out:
                out.append(code)
    return tuple(out[:12])


def _em_table(spec: Specialty, new: bool) -> tuple[tuple[str, ...], tuple[float, ...]]:
    key = (spec.name, new)
    if key not in _EM_TABLES:
        _EM_TABLES[key] = weighted_codes(spec.new_em if new else spec.established_em)
    return _EM_TABLES[key]


def _service_lines(svc: Service, cpt: str, r: Draws, start: int) -> list[Line]:
    mods = (r.pick(("RT", "LT")),) if svc.lateral else ()
    units = r.int_between(*svc.units)
    dx = (r.pick(svc.diagnoses),)
    lines = [Line(start, cpt, mods, dx, units, charge_cents(cpt, units))]
    if svc.add_on is not None and r.chance(svc.add_on[2]):
        code, (lo, hi), _ = svc.add_on
        n = r.int_between(lo, hi)
        lines.append(Line(start + 1, code, (), dx, n, charge_cents(code, n)))
    return lines


def code_visit(
    spec: Specialty, kind: int, service: Service | None, r: Draws, error_rate: float
) -> CodedVisit:
    performed = None
    if kind == PROCEDURE and service is not None:
        cpt = service.cpt
        if service.performed_instead and r.chance(service.change_rate):
            cpt = performed = service.performed_instead
        lines = _service_lines(service, cpt, r, 1)
    else:
        codes, cum = _em_table(spec, kind == NEW)
        em = r.weighted(codes, cum)
        # Common diagnoses dominate: the index is skewed toward the start of the list.
        primary = spec.diagnoses[int(r.u() ** 1.6 * len(spec.diagnoses))]
        dx = (primary,)
        if r.chance(0.5):
            other = r.pick(spec.diagnoses)
            dx = dx + ((other,) if other != primary else ())
        mods: tuple[str, ...] = ("95",) if kind == TELEHEALTH else ()
        lines = [Line(1, em, mods, dx, 1, charge_cents(em, 1))]
        if kind != TELEHEALTH:
            for svc, share in spec.in_office:
                if r.chance(share) and len(lines) < 4:
                    lines += _service_lines(svc, svc.cpt, r, len(lines) + 1)
                    if svc.needs_25 and "25" not in lines[0].modifiers:
                        lines[0].modifiers = lines[0].modifiers + ("25",)
    claim_flaw = None
    if r.chance(error_rate):
        claim_flaw = _inject_error(lines, r)
    return CodedVisit(lines, claim_flaw, performed)


def _inject_error(lines: list[Line], r: Draws) -> str | None:
    """Apply one plausible mistake; returns the claim-level flaw when it is not on a line."""
    options: list[str] = ["incomplete_claim"]
    em = lines[0]
    lateral = [x for x in lines if set(x.modifiers) & {"RT", "LT"}]
    if "25" in em.modifiers:
        options.append("missing_modifier_25")
    if lateral:
        options.append("missing_laterality")
    if em.cpt == "99202":
        options.append("deleted_code")
    if len(lines) > 1 or not em.cpt.startswith("99"):
        options.append("diagnosis_mismatch")
    choice = r.pick(options)
    if choice == "incomplete_claim":
        return choice
    target = {
        "missing_modifier_25": em,
        "deleted_code": em,
        "missing_laterality": lateral[0] if lateral else em,
        "diagnosis_mismatch": lines[-1],
    }[choice]
    target.original = Line(
        target.number, target.cpt, target.modifiers, target.diagnoses, target.units, target.charge
    )
    target.flaw = choice
    if choice == "missing_modifier_25":
        target.modifiers = tuple(m for m in target.modifiers if m != "25")
    elif choice == "missing_laterality":
        target.modifiers = tuple(m for m in target.modifiers if m not in ("RT", "LT"))
    elif choice == "deleted_code":
        target.cpt = DELETED_NEW_PATIENT_CODE
        target.charge = charge_cents(DELETED_NEW_PATIENT_CODE, 1)
    else:
        target.diagnoses = (UNSUPPORTING_DIAGNOSIS,)
    return None
