"""Patients: demographics, coverage and each provider's panel."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .payers import KWC, PAYER_MIX, PAYERS, SELF, WORK_INJURY_SHARE, age_band
from .randomness import Draws
from .specialties import SPECIALTIES
from .tables import Sink

_FIRST_F = (
    "Mary",
    "Linda",
    "Aaliyah",
    "Sofia",
    "Emma",
    "Olivia",
    "Grace",
    "Ana",
    "Jasmine",
    "Chloe",
    "Nadia",
    "Ruth",
    "Evelyn",
    "Mia",
    "Zoe",
    "Layla",
    "Hana",
    "Irene",
)
_FIRST_M = (
    "John",
    "Michael",
    "Luis",
    "Noah",
    "Liam",
    "Ahmed",
    "Ethan",
    "Mateo",
    "Wei",
    "Samuel",
    "Marcus",
    "Arjun",
    "Caleb",
    "Owen",
    "Diego",
    "Tomas",
    "Elijah",
    "Jamal",
)
_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
)
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"
_MEMBER_PREFIX = {"MAL": "LMA", "MCD": "", "BRP": "XBR", "SHH": "SHH", "CRC": "CRC", "KWC": "WC"}
_STREETS = ("OAK", "MAPLE", "CEDAR", "ELM", "PINE", "LAKE", "HILL", "PARK", "WASHINGTON", "MAIN")


def member_id(payer: int, k: int) -> str | None:
    """A member id in the payer's format; `k` is any non-negative random integer."""
    pid = PAYERS[payer].payer_id
    if pid == "SELF":
        return None
    if pid == "MCR":  # Medicare Beneficiary Identifier layout
        letters, digits = _MBI_LETTERS, "0123456789"
        pattern = ("1", "L", "A", "D", "L", "A", "D", "L", "L", "D", "D")
        out = []
        for kind in pattern:
            pool = {"1": "123456789", "L": letters, "A": letters + digits, "D": digits}[kind]
            k, r = divmod(k, len(pool))
            out.append(pool[r])
        return "".join(out)
    width = 10 if pid == "MCD" else 8 if pid == "KWC" else 9
    return f"{_MEMBER_PREFIX[pid]}{k % 10**width:0{width}d}"


class PatientRegistry:
    """Demographics and coverage by patient id (ids come from the world's counter)."""

    def __init__(self, sink: Sink, next_id: Callable[[], int]) -> None:
        self.sink = sink
        self.next_id = next_id
        self.first: dict[int, str] = {}
        self.last: dict[int, str] = {}
        self.birth_day: dict[int, int] = {}
        self.sex: dict[int, int] = {}
        self.zip: dict[int, str] = {}
        self.payer: dict[int, int] = {}
        self.member: dict[int, str | None] = {}
        self.panels: dict[int, list[int]] = {}
        self._pending: dict[int, list[tuple[int, str]]] = {}

    def __len__(self) -> int:
        return len(self.first)

    def address(self, patient: int) -> str:
        return f"{100 + patient * 37 % 9800} {_STREETS[patient % len(_STREETS)]} ST"

    def seed_panels(
        self, rng: np.random.Generator, panels: list[tuple[int, str, str, int]], day: int
    ) -> None:
        """Existing patients of each provider, registered before the window: (provider,
        specialty, zip3, size)."""
        for provider, specialty, zip3, size in panels:
            spec = SPECIALTIES[specialty]
            ages = np.clip(rng.normal(spec.age_mean, spec.age_sd, size), *spec.age_range)
            u = rng.random((size, 6)).tolist()
            members = rng.integers(0, 2**62, size).tolist()
            for age, uu, k in zip(ages.astype(int).tolist(), u, members, strict=True):
                payer = _payer_for(age, specialty, False, uu[0], uu[1])
                number = self._add(day, age, uu[2:], zip3, payer, k)
                self.panels.setdefault(provider, []).append(number)

    def register(
        self, r: Draws, provider: int, specialty: str, zip3: str, day: int, order_ts: int
    ) -> int:
        """A new patient booking their first visit."""
        spec = SPECIALTIES[specialty]
        age = int(
            min(max(spec.age_mean + spec.age_sd * r.normal(), spec.age_range[0]), spec.age_range[1])
        )
        payer = _payer_for(age, specialty, True, r.u(), r.u())
        number = self._add(
            day, age, [r.u(), r.u(), r.u(), r.u()], zip3, payer, int(r.u() * 2**52), order_ts
        )
        self.panels.setdefault(provider, []).append(number)
        return number

    def correct_member_id(self, patient: int, k: int, file_day: int, order_ts: int) -> str:
        """The front desk fixes coverage on file after a failed eligibility check. The row is
        written now for its day; the registry changes only when that day is simulated."""
        corrected = member_id(self.payer[patient], k) or ""
        self._emit(patient, file_day, order_ts, corrected)
        self._pending.setdefault(file_day, []).append((patient, corrected))
        return corrected

    def apply_corrections(self, day: int) -> None:
        for patient, corrected in self._pending.pop(day, ()):
            self.member[patient] = corrected

    def _add(
        self,
        day: int,
        age: int,
        u: list[float],
        zip3: str,
        payer: int,
        k: int,
        order_ts: int | None = None,
    ) -> int:
        sex = 0 if u[0] < 0.52 else 1 if u[0] < 0.995 else 2
        names = _FIRST_F if sex == 0 else _FIRST_M
        n = self.next_id()
        self.first[n] = names[int(u[1] * len(names))]
        self.last[n] = _LAST[int(u[2] * len(_LAST))]
        self.birth_day[n] = day - age * 365 - int(u[3] * 365)
        self.sex[n] = sex
        self.zip[n] = f"{zip3}{int(u[3] * 97) % 100:02d}"
        self.payer[n] = payer
        self.member[n] = member_id(payer, k)
        self._emit(n, day, order_ts if order_ts is not None else day * 86_400)
        return n

    def _emit(self, n: int, file_day: int, order_ts: int, member: str | None = None) -> None:
        self.sink.add(
            (
                file_day,
                order_ts,
                n,
                f"MRN{(n * 7919 + 13) % 10**8:08d}",
                self.first[n],
                self.last[n],
                self.birth_day[n],
                self.sex[n],
                self.zip[n],
                self.payer[n],
                member if member is not None else self.member[n],
            )
        )


def _payer_for(age: int, specialty: str, new: bool, u1: float, u2: float) -> int:
    if specialty == "orthopedics" and new and 18 <= age < 65 and u1 < WORK_INJURY_SHARE:
        return KWC
    payers, cum = PAYER_MIX[age_band(age)]
    for payer, edge in zip(payers, cum, strict=True):
        if u2 < edge:
            return payer
    return SELF
