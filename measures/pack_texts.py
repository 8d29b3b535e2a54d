"""The quarterly report pack's editable default texts, in the IJB cover-report template's order.

IJB papers share a cover-report shape (notes spc-sdc-ijb.md section 3): a header block, purpose,
recommendations, background, the report, then implications (finance, legal, equalities, risk) and
directions. These are starting texts a service edits once (kept in the settings document as
`pack_texts`) and again in Word before the meeting; the figures themselves are never typed here.
"""

from __future__ import annotations

# (key, heading) in the order the pack prints them. The header fields head the cover page.
PACK_HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("report_to", "Report to"),
    ("report_by", "Report by"),
    ("contact_officer", "Contact officer"),
)
PACK_SECTIONS: tuple[tuple[str, str], ...] = (
    ("purpose", "Purpose"),
    ("recommendations", "Recommendations"),
    ("background", "Background"),
)
PACK_IMPLICATIONS: tuple[tuple[str, str], ...] = (
    ("finance", "Finance"),
    ("legal", "Legal"),
    ("equalities", "Equalities"),
    ("risk", "Risk"),
    ("directions", "Directions"),
)
PACK_TEXT_KEYS: tuple[str, ...] = tuple(
    key for key, _ in (*PACK_HEADER_FIELDS, *PACK_SECTIONS, *PACK_IMPLICATIONS)
)

DEFAULT_PACK_TEXTS: dict[str, str] = {
    "report_to": "Integration Joint Board",
    "report_by": "Chief Social Work Officer",
    "contact_officer": "Service Manager, Justice Social Work",
    "purpose": (
        "To report the justice social work service's performance this quarter against its improvement "
        "targets for assessment and case management plan timescales and for the quality assurance of "
        "statutory reviews and case recording, following the Care Inspectorate's inspection."
    ),
    "recommendations": (
        "The Board is asked to note and comment on the performance reported, and to request a further "
        "update at the end of the next quarter."
    ),
    "background": (
        "The Care Inspectorate's inspection of the justice social work service identified two areas for "
        "improvement: the timescales for completing LS/CMI risk and need assessments and case management "
        "plans, and the quality assurance of statutory reviews and of case recording. The service agreed "
        "an improvement action plan and reports its progress every quarter."
    ),
    "finance": "There are no financial implications arising from this report.",
    "legal": (
        "The service has statutory duties under the Criminal Procedure (Scotland) Act 1995 and follows the "
        "national Community Payback Order practice guidance. There are no further legal implications."
    ),
    "equalities": (
        "This report does not introduce a new policy or change an existing one, so an equality impact "
        "assessment is not required."
    ),
    "risk": (
        "Performance below target on assessment and review timescales is a risk to public protection and "
        "to the service's standing with the Care Inspectorate; the improvement action plan addresses it."
    ),
    "directions": "None: no direction is required to the council or the health board.",
}
