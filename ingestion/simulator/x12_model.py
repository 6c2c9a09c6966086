"""Plain data the simulator hands to the X12 writer.

The practice simulator decides *what* happened (claims submitted, adjudications, payments);
the writer in ``x12_writer.py`` decides only *how* it is spelled in ASC X12 5010. Keeping the
two apart lets the writer be validated on its own (pyx12) and the simulator stay readable.

Money is ``decimal.Decimal`` with two places; dates are ``datetime.date``.

Everything here is read-only by convention. The classes made once per claim or service line
are plain slotted dataclasses rather than frozen ones: a frozen dataclass pays a setattr call
per field, and a large run builds millions of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    """An organization or person that appears in NM1/N3/N4/REF segments."""

    name: str
    identifier: str  # NPI for providers, payer id for payers, ETIN for submitters
    tax_id: str = ""  # EIN (REF*EI) for billing providers / payees
    address: str = "100 MAIN ST"
    city: str = "SPRINGFIELD"
    state: str = "IL"
    zip: str = "627010000"
    first_name: str = ""  # set for people; organizations leave it empty
    # Optional extras the 5010 guides ask for; the writer fills plausible values when empty.
    taxonomy: str = ""  # PRV*BI / PRV*PE (NUCC taxonomy); PRV is skipped when empty
    contact_name: str = ""  # PER02 (837 submitter, 835 payer technical contact)
    phone: str = ""  # PER04, 10 digits
    bank_routing_number: str = ""  # BPR07 (payer) / BPR13 (payee) for ACH
    bank_account_number: str = ""  # BPR09 (payer) / BPR15 (payee) for ACH


@dataclass(frozen=True)
class Subscriber:
    """The patient as insured (the simulator only bills the patient as subscriber)."""

    member_id: str
    last_name: str
    first_name: str
    birth_date: dt.date
    sex: str  # F, M, U
    address: str
    city: str
    state: str
    zip: str
    claim_filing_code: str  # SBR09 / CLP06: MB, MC, HM, CI, BL, WC, ZZ... (835 writes CI/BL as 12)


@dataclass(slots=True)  # one per claim or line: see the module note
class ServiceLine837:
    line_number: int
    cpt_code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    diagnosis_pointers: tuple[int, ...]  # 1-based into Claim837.diagnoses
    service_date: dt.date


@dataclass(slots=True)  # one per claim or line: see the module note
class Claim837:
    claim_id: str  # CLM01, the practice's claim id
    total_charge: Decimal  # CLM02 = sum of line charges
    place_of_service: str  # CLM05-1
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    subscriber: Subscriber
    payer: Party  # NM1*PR; identifier is the payer's X12 id
    rendering_provider: Party  # NM1*82 (person: first_name set), identifier = NPI
    diagnoses: tuple[str, ...]  # ICD-10 without the dot, primary first
    lines: tuple[ServiceLine837, ...]
    encounter_id: str  # REF*EA
    auth_number: str | None = None  # REF*G1
    payer_claim_control_number: str | None = None  # REF*F8 for frequency 7/8


@dataclass(frozen=True)
class Batch837:
    """One 837P file: one interchange, one functional group, one or more transactions."""

    interchange_control_number: int  # ISA13, 9 digits when written
    group_control_number: int  # GS06
    created_at: dt.datetime  # ISA09/10, GS04/05, BHT04/05 (submission date)
    submitter: Party  # NM1*41 (identifier = ETIN)
    receiver: Party  # NM1*40 (clearinghouse)
    billing_provider: Party  # NM1*85 (identifier = group NPI, tax_id = EIN)
    transactions: tuple[tuple[Claim837, ...], ...]  # claims per ST/SE set
    sender_id: str = "FRICTIONSIM"
    receiver_id: str = "CLEARINGHOUSE"
    usage_indicator: str = "P"


@dataclass(frozen=True)
class Adjustment:
    """One CAS triplet."""

    group_code: str  # CO, PR, OA, PI, CR
    reason_code: str  # CARC
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True)  # one per claim or line: see the module note
class ServiceLine835:
    cpt_code: str
    modifiers: tuple[str, ...]
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    units: Decimal  # SVC05
    service_date: dt.date  # DTM*472
    adjustments: tuple[Adjustment, ...] = ()
    remark_codes: tuple[str, ...] = ()  # LQ*HE
    line_control_number: str | None = None  # REF*6R


@dataclass(slots=True)  # one per claim or line: see the module note
class Claim835:
    claim_id: str  # CLP01 = CLM01
    status_code: str  # CLP02: 1, 2, 3, 4, 19-23
    total_charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    claim_filing_code: str  # CLP06
    payer_claim_control_number: str  # CLP07
    place_of_service: str  # CLP08
    frequency_code: str  # CLP09
    patient_last_name: str
    patient_first_name: str
    member_id: str
    rendering_npi: str
    service_date: dt.date  # DTM*232 (and 233)
    received_date: dt.date | None = None  # DTM*050
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    lines: tuple[ServiceLine835, ...] = ()
    remark_codes: tuple[str, ...] = ()  # MOA remarks (outpatient)


@dataclass(frozen=True)
class ProviderAdjustment:
    """One PLB adjustment: reason (e.g. WO, FB, L6, 72), reference id, amount.

    A positive amount reduces the payment (PLB amounts are subtracted in BPR balancing).
    """

    reason_code: str
    reference_id: str
    amount: Decimal


@dataclass(frozen=True)
class Remit835:
    """One 835 transaction (ST/SE): one payment (BPR/TRN) from one payer to one payee."""

    payer: Party  # N1*PR; identifier written in REF*2U (N103/N104 only carry a National Plan ID)
    payee: Party  # N1*PE; identifier = NPI (XX), tax_id in REF*TJ
    payment_method: str  # BPR04: ACH, CHK, NON
    payment_amount: Decimal  # BPR02 = sum(CLP04) - sum(PLB amounts)
    payment_date: dt.date  # BPR16
    trace_number: str  # TRN02 (check or EFT number)
    production_date: dt.date  # DTM*405
    claims: tuple[Claim835, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    credit_debit: str = "C"  # BPR03


@dataclass(frozen=True)
class Batch835:
    """One 835 file: one interchange, one group, one or more remittance transactions."""

    interchange_control_number: int
    group_control_number: int
    created_at: dt.datetime
    remits: tuple[Remit835, ...]
    sender_id: str = "PAYERSIM"
    receiver_id: str = "FRICTIONSIM"
    usage_indicator: str = "P"
    extra: dict[str, str] = field(default_factory=dict)
