"""How a contact is addressed: what a template needs to write each language's formal greeting.

The salutation comes from the ledger as written ("Mrs", "Frau", "Sra.", "Madame"); German and
Spanish greetings agree with it ("Sehr geehrte Frau", "Sehr geehrter Herr", "Estimada Sra.",
"Estimado Sr."), so it is read as feminine or masculine here and the words are left to each
language's templates (`greeting` in `_parts.j2`). A salutation read as neither (a "Dr") is used
as written; no salutation gives each language's neutral greeting.
"""

from __future__ import annotations

#: salutations read as feminine / masculine, in the languages Relance ships and a few more
FEMININE = frozenset(
    [
        "mrs",
        "ms",
        "miss",
        "frau",
        "fr",
        "sra",
        "señora",
        "srta",
        "señorita",
        "madame",
        "mme",
        "mlle",
        "mademoiselle",
        "signora",
        "sig.ra",
        "sra.",
        "srta.",
        "fr.",
        "mrs.",
        "ms.",
        "mme.",
        "dña",
        "doña",
    ]
)
MASCULINE = frozenset(
    [
        "mr",
        "herr",
        "hr",
        "sr",
        "señor",
        "monsieur",
        "m",
        "signor",
        "sig",
        "don",
        "mr.",
        "hr.",
        "sr.",
        "m.",
        "sig.",
        "d.",
    ]
)


def gender_of(salutation: str) -> str:
    """ "f", "m", or "" when the salutation says neither (or there is none)."""
    word = salutation.strip().casefold()
    if word in FEMININE:
        return "f"
    if word in MASCULINE:
        return "m"
    return ""


def surname_of(contact_name: str) -> str:
    """The name after the first given name: "María García López" -> "García López", "Anna
    Weber" -> "Weber"; a single name is kept whole. Used only beside a salutation."""
    parts = contact_name.split(maxsplit=1)
    return parts[1] if len(parts) == 2 else contact_name.strip()


def addressing(salutation: str, contact_name: str) -> dict[str, str]:
    """`salutation` (as imported), `gender` ("f", "m", "") and `surname` for the templates;
    a salutation without a contact name is no use and is dropped."""
    salutation = salutation.strip() if contact_name.strip() else ""
    return {
        "salutation": salutation,
        "gender": gender_of(salutation) if salutation else "",
        "surname": surname_of(contact_name) if salutation else "",
    }
