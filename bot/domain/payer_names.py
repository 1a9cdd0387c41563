"""A payer's name as the bank statement and the ledger are compared: "Lefèvre S.A.R.L." and
"LEFEVRE" are the same payer. Pure."""

from __future__ import annotations

import unicodedata

from rapidfuzz import utils

_LEGAL_FORMS = frozenset(
    # company-form words that say nothing about who paid (FR, DE, ES, UK, NL, IT, US)
    [
        "SA",
        "SAS",
        "SASU",
        "SARL",
        "EURL",
        "GMBH",
        "AG",
        "KG",
        "UG",
        "SL",
        "SLU",
        "LTD",
        "LIMITED",
        "PLC",
        "LLP",
        "BV",
        "NV",
        "SRL",
        "SPA",
        "INC",
        "LLC",
        "CO",
    ]
)


def name_key(name: str) -> str:
    """A name as compared: no accents, dots, case or company form ("Lefèvre S.A.R.L." and
    "LEFEVRE" are the same payer)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    words = utils.default_process(plain.replace(".", "")).upper().split()
    # sorted once here, so that a plain ratio is rapidfuzz's token-sort ratio
    return " ".join(sorted(w for w in words if w not in _LEGAL_FORMS))
