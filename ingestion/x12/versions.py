"""Which X12 transactions and implementation guides each landing folder accepts.

A file in ``claims/`` must hold 837P and one in ``remits/`` 835 (shared/spec/extracts.md). The
guide (ST03, else GS08) tells apart transactions sharing an ST01: an 837 Institutional landed in
``claims/`` is the wrong transaction, not merely a new version of the right one.
"""

from __future__ import annotations

FOLDERS = {"837": "claims/", "835": "remits/"}
CONTRACT_GUIDE = {"837": "005010X222A1", "835": "005010X221A1"}
# X222A2 is the published errata of X222A1 with the same segments for what we read.
ACCEPTED_GUIDES = {"837": {"005010X222A1", "005010X222A2"}, "835": {"005010X221A1"}}

_GUIDE_NAMES = {
    "005010X222A1": "837 Professional",
    "005010X222A2": "837 Professional (errata)",
    "005010X222": "837 Professional before addenda A1",
    "004010X098A1": "837 Professional, 4010",
    "005010X223A1": "837 Institutional",
    "005010X223A2": "837 Institutional",
    "005010X223A3": "837 Institutional",
    "005010X224A1": "837 Dental",
    "005010X224A2": "837 Dental",
    "005010X224A3": "837 Dental",
    "005010X221A1": "835 Claim Payment/Advice",
    "005010X221": "835 before addenda A1",
    "004010X091A1": "835 Claim Payment/Advice, 4010",
    "005010X214": "277CA Claim Acknowledgment",
    "005010X212": "276/277 Claim Status",
    "005010X279A1": "270/271 Eligibility",
    "005010X231A1": "999 Implementation Acknowledgment",
    "005010X220A1": "834 Benefit Enrollment",
    "005010X217": "278 Services Review",
    "005010X218": "820 Premium Payment",
}
_NOT_837P = {"837 Institutional", "837 Dental"}
# Guides that share ST01 with an accepted transaction but are another product.
_OTHER_PRODUCTS = {
    "837": {
        key for key, name in _GUIDE_NAMES.items() if "Institutional" in name or "Dental" in name
    }
}


def describe_guide(guide: str | None) -> str:
    if not guide:
        return "no implementation guide in ST03/GS08"
    return f"{guide}, {_GUIDE_NAMES.get(guide, 'an unknown guide')}"


def transaction_problem(
    transaction_set: str, guide: str | None, expected: str
) -> tuple[str, str] | None:
    """``(reason_code, why)`` when the transaction is not what ``expected``'s folder takes."""
    wrong_product = transaction_set != expected or guide in _OTHER_PRODUCTS.get(expected, ())
    if not wrong_product and guide in ACCEPTED_GUIDES[expected]:
        return None
    want = f"{expected} ({describe_guide(CONTRACT_GUIDE[expected])})"
    if wrong_product:
        return (
            "unexpected_transaction",
            f"is a {transaction_set or 'blank ST01'} ({describe_guide(guide)}); files in "
            f"{FOLDERS[expected]} must hold {want}: land it in the right folder or ask the "
            f"sender for the {expected}",
        )
    return ("unsupported_version", f"uses {describe_guide(guide)}; this warehouse reads {want}")
