"""Putting a suggestion into words for its channel: e-mail text, a call script, or a hand-off
note for a person."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from bot.channels.letter import Letter
from bot.config import Settings
from bot.domain.escalation import Suggestion
from bot.domain.late_payment import LawBook
from bot.domain.money import Money, totals_by_currency
from bot.domain.policy import Channel
from bot.rendering.addressing import addressing
from bot.rendering.context import Addressee, Sender, charges_for, reminder_context
from bot.rendering.locale import customer_locale, long_date, money
from bot.rendering.postal import country_line
from bot.rendering.templates import Templates, choose_wording


@dataclass(frozen=True)
class Draft:
    wording: str
    language: str
    subject: str
    text: str
    html: str
    letter: str = ""  # the PDF letter's content (JSON), for stages that send one
    # what the person approving must know, shown on the card: a rate past its table, a fixed
    # sum in another currency, a currency with no bank account
    warnings: tuple[str, ...] = ()


def sender_from(settings: Settings) -> Sender:
    return Sender(
        settings.company_name,
        settings.contact_name,
        settings.contact_email,
        settings.contact_phone,
        identity=settings.identity,
        signatory=settings.signatory_name,
        signatory_title=settings.signatory_title,
    )


def no_account_note(currencies: list[str]) -> str:
    if not currencies:
        return ""
    return (
        f"No bank account for {', '.join(currencies)} is configured "
        "(RELANCE_BANK_ACCOUNTS_FILE): this e-mail gives no bank details for it."
    )


class Recipient(Protocol):
    """Whom a text is for: a customer row or the plain view the morning reads."""

    @property
    def id(self) -> int | None: ...
    @property
    def name(self) -> str: ...
    @property
    def contact_name(self) -> str: ...
    @property
    def salutation(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def country(self) -> str: ...
    @property
    def address(self) -> str: ...
    @property
    def governing_law(self) -> str: ...
    @property
    def external_id(self) -> str: ...


class Composer:
    def __init__(
        self,
        settings: Settings,
        templates: Templates,
        laws: LawBook,
        discount_days: int = 7,
        page_url: Callable[[int], str] | None = None,
    ):
        """`page_url` gives a customer's page link (empty when the page is off)."""
        self.settings = settings
        self.page_url = page_url
        self.discount_days = discount_days
        self.templates = templates
        self.laws = laws
        self.sender = sender_from(settings)

    def context(
        self,
        customer: Recipient,
        suggestion: Suggestion,
        today: date,
        discount_days: int | None = None,
    ) -> dict[str, Any]:
        """`discount_days`: the deciding policy's (a segment's, or a lead's change since
        start-up); by default the main policy's at start-up."""
        context = reminder_context(
            addressee=Addressee(
                customer.name,
                customer.contact_name,
                customer.language,
                customer.country,
                # the company's own law unless the customer's contracts say otherwise
                customer.governing_law or self.settings.country,
                customer.salutation,
                customer.external_id,
            ),
            suggestion=suggestion,
            sender=self.sender,
            today=today,
            laws=self.laws,
            final_notice_days=self.settings.final_notice_days,
            discount_days=self.discount_days if discount_days is None else discount_days,
            bank_accounts=self.settings.bank_accounts,
        )
        context["customer_page_url"] = (
            self.page_url(customer.id)
            if self.page_url is not None and customer.id is not None
            else ""
        )
        return context

    def wording(
        self, language: str, channel: Channel, template: str, last_wording: str
    ) -> tuple[str, str]:
        """The language and wording (`lang/template`) a stage's texts use for a customer who
        reads `language`, never the wording used last time. Cheap: the morning asks it of
        every suggestion, and fails as drafting would on a stage with no template."""
        if channel is Channel.PHONE:
            language = self.templates.language_for("call", language)
        elif channel is Channel.NONE:
            language = self.templates.language_for("note", language)
        else:
            chosen = choose_wording(
                self.templates.wordings("email", language, template), last_wording
            )
            return chosen.split("/")[0], chosen
        return language, f"{language}/{template}"

    def check_figures(self, customer: Recipient, suggestion: Suggestion, today: date) -> None:
        """Raise now what writing the texts later would raise on the data: statutory charges
        with no reference rate known for their period."""
        if suggestion.stage.late_payment_rights:
            law = self.laws.law(customer.governing_law or self.settings.country)
            charges_for(suggestion.invoices, law, today, self.laws.rates)

    def draft(
        self,
        customer: Recipient,
        suggestion: Suggestion,
        today: date,
        discount_days: int | None = None,
    ) -> Draft:
        stage = suggestion.stage
        language, wording = self.wording(
            customer.language, stage.channel, stage.template, suggestion.last_wording
        )
        context = self.context(customer, suggestion, today, discount_days)
        if stage.channel is Channel.PHONE:
            script = self.templates.render("call", wording, "txt", context)
            return Draft(wording, language, f"Call {customer.name}", script + "\n", "")
        if stage.channel is Channel.NONE:
            # a note for the person who decides, in the customer's language (it may go on to a
            # collector or a lawyer there)
            subject = self.templates.render("note", wording, "subject", context)
            note = self.templates.render("note", wording, "txt", context)
            return Draft(wording, language, subject, note + "\n", "")
        email = self.templates.render_email(wording, context)
        letter = self.letter(customer, stage.template, context, today) if stage.letter else ""
        return Draft(
            email.wording,
            email.language,
            email.subject,
            email.text,
            email.html,
            letter,
            (
                *context["charges_warnings"],
                *filter(None, [no_account_note(context["no_bank_account_for"])]),
            ),
        )

    def letter(
        self, customer: Recipient, template: str, context: dict[str, Any], today: date
    ) -> str:
        """The letter's content, frozen now so the PDF sent later says what was approved."""
        language = self.templates.language_for("letter", customer.language)
        locale = customer_locale(customer.language, customer.country)
        s = self.settings
        place = {"place": s.company_place, "today": long_date(today, locale)}
        return Letter(
            sender=[
                s.company_name,
                *s.company_address.splitlines(),
                s.contact_email,
                s.contact_phone,
            ],
            recipient=[
                customer.name,
                *([customer.contact_name] if customer.contact_name else []),
                *customer.address.splitlines(),
                *country_line(customer.address, customer.country, s.country),
            ],
            dateline=self.templates.render("letter", f"{language}/dateline", "txt", place),
            subject=self.templates.render("letter", f"{language}/{template}", "subject", context),
            body=self.templates.render("letter", f"{language}/{template}", "txt", context),
            filename=self.templates.render("letter", f"{language}/{template}", "filename", {}),
            footer=self.templates.render("letter", f"{language}/footer", "txt", context),
            mention=(
                self.templates.render("letter", f"{language}/registered", "txt", {})
                if s.letter_registered
                else ""
            ),
            logo=str(s.company_logo) if s.company_logo else "",
        ).to_json()

    def plan_notice(
        self,
        customer: Recipient,
        kind: str,
        instalments: list[tuple[date, Money]],
        due: date | None = None,
    ) -> Draft:
        """A payment plan's message (`kind`: `confirmed` with the schedule, `due` before an
        instalment, `missed` once one passed unpaid); `due` is that instalment's date."""
        locale = customer_locale(customer.language, customer.country)
        language = self.templates.language_for("email", customer.language)
        rows = [
            {"date": long_date(d, locale), "amount": money(m, locale), "current": d == due}
            for d, m in instalments
        ]
        current = next((r for r in rows if r["current"]), None)
        context = {
            "locale": locale,
            "contact_name": customer.contact_name or customer.name,
            "contact_person": customer.contact_name,
            **addressing(customer.salutation, customer.contact_name),
            "instalments": rows,
            "count": len(rows),
            "total": money(sum((m for _d, m in instalments[1:]), instalments[0][1]), locale),
            "instalment": current,
            "sender": self.sender,
        }
        wording = f"{language}/plan_{kind}"
        subject = self.templates.render("email", wording, "subject", context)
        text = self.templates.render("email", wording, "txt", context) + "\n"
        return Draft(
            wording, language, subject, text, self.templates.html_from_text(text, language, subject)
        )

    def thanks(
        self,
        customer: Recipient,
        paid: list[tuple[str, Money]],
        still_open: Sequence[tuple[str, Money, date]] = (),
    ) -> Draft:
        """A thank-you for invoices paid after they fell overdue, with what remains open (or
        that the account is clear)."""
        locale = customer_locale(customer.language, customer.country)
        language = self.templates.language_for("email", customer.language)
        context = {
            "locale": locale,
            "contact_name": customer.contact_name or customer.name,
            "contact_person": customer.contact_name,
            **addressing(customer.salutation, customer.contact_name),
            "invoices": [{"number": n, "amount": money(a, locale)} for n, a in paid],
            "count": len(paid),
            "still_open": [
                {"number": n, "balance": money(b, locale), "due_date": long_date(d, locale)}
                for n, b, d in still_open
            ],
            "still_open_total": " + ".join(
                money(t, locale) for t in totals_by_currency(b for _n, b, _d in still_open)
            ),
            "sender": self.sender,
        }
        subject = self.templates.render("email", f"{language}/thanks", "subject", context)
        text = self.templates.render("email", f"{language}/thanks", "txt", context) + "\n"
        return Draft(
            f"{language}/thanks",
            language,
            subject,
            text,
            self.templates.html_from_text(text, language, subject),
        )
