"""The company's legal identity: what its country requires business correspondence to show
(bot/company_disclosures.toml, each rule with its source), the start-up warnings when it is
missing, and bank accounts held by another entity."""

from __future__ import annotations

from dataclasses import replace

from stdnum.fr import siren, tva

from bot.config import Settings, load_bank_accounts, load_disclosures
from bot.domain.bank import accounts_from_dict
from bot.domain.company import CompanyIdentity
from bot.services.operations.settings_check import check_run

RULES = load_disclosures()
COMPANY_FIELDS = {
    "legal_name",
    "legal_form",
    "registration",
    "registry",
    "capital",
    "registered_office",
    "vat",
}


def warnings(settings: Settings) -> dict[str, str]:
    return {f.setting: f.message for f in check_run(settings, http=False) if not f.fatal}


def test_every_rule_names_known_fields_and_its_source() -> None:
    assert {"FR", "GB", "DE", "ES"} <= set(RULES)
    for rule in RULES.values():
        assert set(rule.required) <= COMPANY_FIELDS and len(rule.source) > 40
    assert "R123-237" in RULES["FR"].source and "2015/17" in RULES["GB"].source


def test_a_french_sas_must_state_its_capital_a_british_company_its_number() -> None:
    sas = CompanyIdentity("Atelier SAS", "SAS", "912 345 675", "RCS Paris", "", "Paris", "")
    assert RULES["FR"].missing(sas) == ["capital"]
    assert RULES["FR"].missing(replace(sas, legal_form="SNC")) == []  # no capital to state
    ltd = CompanyIdentity("Thames Tools Ltd", "Ltd")
    assert RULES["GB"].missing(ltd) == ["registration", "registry", "registered_office"]


def test_the_demo_identity_is_well_formed() -> None:
    """The bundled example passes the checks python-stdnum implements (INSEE's SIREN key, the
    French VAT number's key), so nobody copies a malformed example."""
    identity = Settings().identity
    assert siren.is_valid(identity.registration) and tva.is_valid(identity.vat)
    assert RULES["FR"].missing(identity) == []


def test_start_up_warns_about_each_missing_field_with_the_rule() -> None:
    bare = Settings(
        country="FR", company_registration="", company_capital="", company_registered_office=""
    )
    found = warnings(bare)
    for setting in (
        "RELANCE_COMPANY_REGISTRATION",
        "RELANCE_COMPANY_CAPITAL",
        "RELANCE_COMPANY_REGISTERED_OFFICE",
    ):
        assert "R123-237" in found[setting]
    british = warnings(Settings(country="GB", company_registration="", company_registry=""))
    assert "SI 2015/17" in british["RELANCE_COMPANY_REGISTRATION"]
    assert "RELANCE_COMPANY_CAPITAL" not in british  # not required there
    wrong = warnings(Settings(company_registration="912 345 678"))
    assert "not a valid SIREN" in wrong["RELANCE_COMPANY_REGISTRATION"]
    identity_settings = {f"RELANCE_COMPANY_{f.upper()}" for f in COMPANY_FIELDS}
    assert not identity_settings & set(warnings(Settings()))  # the demo company: complete


def test_an_account_held_by_another_entity_must_say_why() -> None:
    accounts = accounts_from_dict(
        {"USD": {"holder": "Relance Demo Inc.", "details": "ABA 026009593 · Account 1"}}
    )
    found = warnings(Settings(bank_accounts=accounts))
    assert "held by Relance Demo Inc." in found["RELANCE_BANK_ACCOUNTS_FILE"]
    bundled = load_bank_accounts()  # its dollar and franc accounts say why
    every = [f.message for f in check_run(Settings(bank_accounts=bundled), http=False)]
    assert not [m for m in every if "held by" in m]
    assert bundled["USD"].holder_note("de").startswith("unsere US-Tochtergesellschaft")
    assert bundled["USD"].holder_note("it") == bundled["USD"].holder_note("en")
