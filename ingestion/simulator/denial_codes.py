"""How each injected failure shows up on a remittance: category, CAS group, CARC and RARC.

The root-cause labels are the ones in metrics.md (rcm.denial_root_cause); the category is what
the warehouse's CARC seed should map the CARC to.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT_CAUSES = (
    "eligibility_not_checked",
    "eligibility_result_ignored",
    "payer_data_mismatch",
    "auth_not_requested",
    "auth_pending_at_service",
    "auth_mismatch",
    "auth_denied_service_rendered",
    "documentation_delay",
    "coding_delay",
    "submission_delay",
    "coding_error",
    "clinical_documentation",
    "duplicate",
    "other",
)


@dataclass(frozen=True)
class DenialCode:
    category: str
    group: str
    carc: str
    rarc: str | None
    line_level: bool = False  # denies only the affected line; the rest of the claim pays


# Coverage problems a visit can carry, by what the payer says on the remit.
COVERAGE_PROBLEMS: dict[str, DenialCode] = {
    "terminated": DenialCode("eligibility", "CO", "27", None),
    "member_not_found": DenialCode("eligibility", "CO", "31", None),
    "wrong_payer": DenialCode("eligibility", "CO", "109", "N418"),
    "other_payer_primary": DenialCode("eligibility", "OA", "22", "N598"),
}
# Share of coverage problems by kind; the last one an eligibility response does not reveal.
COVERAGE_PROBLEM_MIX = (
    ("terminated", 0.50),
    ("member_not_found", 0.25),
    ("wrong_payer", 0.15),
    ("other_payer_primary", 0.10),
)
CHECK_RESULT_FOR_PROBLEM = {
    "terminated": "inactive",
    "member_not_found": "not_found",
    "wrong_payer": "inactive",
    "other_payer_primary": "active",
}

AUTH_DENIALS: dict[str, DenialCode] = {
    "auth_not_requested": DenialCode("authorization", "CO", "197", "M62"),
    "auth_pending_at_service": DenialCode("authorization", "CO", "197", "M62"),
    "auth_mismatch": DenialCode("authorization", "CO", "15", "N54"),
    "auth_units_exceeded": DenialCode("authorization", "CO", "198", "N362"),
    "auth_denied_service_rendered": DenialCode("authorization", "CO", "197", "N54"),
}

TIMELY_FILING = DenialCode("timely_filing", "CO", "29", None)

# Coding errors, keyed by the mistake visible in ehr/charges.
CODING_ERRORS: dict[str, DenialCode] = {
    "missing_modifier_25": DenialCode("bundling", "CO", "97", "M15", line_level=True),
    "missing_laterality": DenialCode("coding", "CO", "4", "N519", line_level=True),
    "diagnosis_mismatch": DenialCode("coding", "CO", "11", "M76", line_level=True),
    "deleted_code": DenialCode("coding", "CO", "181", "N56", line_level=True),
    "incomplete_claim": DenialCode("coding", "CO", "16", "MA130"),
    "unbundled_pair": DenialCode("bundling", "CO", "236", "N20", line_level=True),
}

CLINICAL_DOCUMENTATION: dict[str, DenialCode] = {
    "medical_necessity": DenialCode("medical_necessity", "CO", "50", "N115", line_level=True),
    "records_required": DenialCode("documentation", "CO", "252", "M127"),
    "records_not_sent": DenialCode("documentation", "CO", "226", "N706"),
}

DUPLICATE = DenialCode("duplicate", "OA", "18", None)
NOT_COVERED = DenialCode("other", "PR", "204", None, line_level=True)

# Adjustments that are not denials (metrics.md): contract, patient share, sequestration.
CONTRACTUAL = ("CO", "45")
SEQUESTRATION = ("CO", "253")
DEDUCTIBLE, COINSURANCE, COPAY = ("PR", "1"), ("PR", "2"), ("PR", "3")
