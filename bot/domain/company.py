"""Who the invoicing company is, as its customers must read it: the legal identity a business
letter shows (legal form, registration, registry, share capital, registered office, VAT
number), and which of it the company's country requires (`bot/company_disclosures.toml`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

FIELDS = ("legal_form", "registration", "registry", "capital", "registered_office", "vat")


class DisclosureError(ValueError):
    """A disclosures file that cannot be used; the message names the entry."""


@dataclass(frozen=True)
class CompanyIdentity:
    legal_name: str
    legal_form: str = ""  # "SAS", "Ltd", "GmbH"…
    registration: str = ""  # SIREN, Companies House number, HRB number…
    registry: str = ""  # "RCS Paris", "England and Wales", "Amtsgericht München"…
    capital: str = ""  # as written: "10 000 €"
    registered_office: str = ""
    vat: str = ""

    @property
    def shown(self) -> bool:
        """Whether there is anything beyond the name to show."""
        return any(getattr(self, f) for f in FIELDS)


@dataclass(frozen=True)
class Disclosure:
    """What a country requires on business correspondence, and where the rule is written."""

    required: tuple[str, ...]
    capital_forms: tuple[str, ...]
    source: str

    def missing(self, identity: CompanyIdentity) -> list[str]:
        """The required fields `identity` leaves empty (share capital for the forms that must
        state it)."""
        needed = list(self.required)
        if identity.legal_form.upper().replace(".", "") in self.capital_forms:
            needed.append("capital")
        return [f for f in needed if not getattr(identity, f).strip()]


def disclosures_from_dict(data: Mapping[str, Any]) -> dict[str, Disclosure]:
    known = {f.name for f in fields(CompanyIdentity)}
    found = {}
    for country, entry in data.items():
        if not isinstance(entry, Mapping) or not entry.get("source"):
            raise DisclosureError(f"[{country}]: required, capital_forms and source are needed")
        required = tuple(entry.get("required", ()))
        unknown = [f for f in required if f not in known]
        if unknown:
            raise DisclosureError(f"[{country}]: unknown field(s) {', '.join(unknown)}")
        found[country.upper()] = Disclosure(
            required,
            tuple(f.upper() for f in entry.get("capital_forms", ())),
            " ".join(str(entry["source"]).split()),
        )
    return found
