"""Putting a suggestion into words for its channel: e-mail text, a call script, or a hand-off
note for a person."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.channels.letter import Letter
from bot.config import Settings
from bot.domain.escalation import Suggestion
from bot.domain.late_payment import ReferenceRates
from bot.domain.money import Money
from bot.domain.policy import Channel
from bot.rendering.context import Addressee, Sender, reminder_context
from bot.rendering.locale import customer_locale, long_date, money
from bot.rendering.templates import Templates


@dataclass(frozen=True)
class Draft:
    wording: str
    language: str
    subject: str
    text: str
    html: str
    letter: str = ""  # the PDF letter's content (JSON), for stages that send one


def sender_from(settings: Settings) -> Sender:
    return Sender(
        settings.company_name,
        settings.contact_name,
        settings.contact_email,
        settings.contact_phone,
        settings.bank_details,
    )


class Recipient(Protocol):
    id: int | None
    name: str
    contact_name: str
    language: str
    country: str
    address: str


class Composer:
    def __init__(
        self,
        settings: Settings,
        templates: Templates,
        rates: dict[str, ReferenceRates],
        discount_days: int = 7,
        page_url: Callable[[int], str] | None = None,
    ):
        """`page_url` gives a customer's page link (empty when the page is off)."""
        self.settings = settings
        self.page_url = page_url
        self.discount_days = discount_days
        self.templates = templates
        self.rates = rates
        self.sender = sender_from(settings)

    def context(self, customer: Recipient, suggestion: Suggestion, today: date) -> dict:
        context = reminder_context(
            addressee=Addressee(
                customer.name, customer.contact_name, customer.language, customer.country
            ),
            suggestion=suggestion,
            sender=self.sender,
            today=today,
            rates=self.rates,
            final_notice_days=self.settings.final_notice_days,
            discount_days=self.discount_days,
        )
        has_page = self.page_url is not None and customer.id is not None
        context["customer_page_url"] = self.page_url(customer.id) if has_page else ""
        return context

    def draft(self, customer: Recipient, suggestion: Suggestion, today: date) -> Draft:
        context = self.context(customer, suggestion, today)
        stage = suggestion.stage
        if stage.channel is Channel.PHONE:
            language = self.templates.language_for("call", customer.language)
            script = self.templates.render("call", f"{language}/call", "txt", context)
            return Draft(f"{language}/call", language, f"Call {customer.name}", script + "\n", "")
        if stage.channel is Channel.NONE:
            note = (
                f"{customer.name} has {context['total']} overdue "
                f"({suggestion.days_overdue} days for the oldest invoice) and the ladder is "
                f"exhausted. Decide on a hand-off to a collector or a lawyer."
            )
            return Draft("", "en", f"Hand-off: {customer.name}", note + "\n", "")
        email = self.templates.render_email(
            customer.language, stage.template, context, suggestion.last_wording
        )
        letter = self.letter(customer, stage.template, context, today) if stage.letter else ""
        return Draft(email.wording, email.language, email.subject, email.text, email.html, letter)

    def letter(self, customer: Recipient, template: str, context: dict, today: date) -> str:
        """The letter's content, frozen now so the PDF sent later says what was approved."""
        language = self.templates.language_for("letter", customer.language)
        locale = customer_locale(customer.language, customer.country)
        s = self.settings
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
            ],
            dateline=long_date(today, locale),
            subject=self.templates.render("letter", f"{language}/{template}", "subject", context),
            body=self.templates.render("letter", f"{language}/{template}", "txt", context),
        ).to_json()

    def thanks(self, customer: Recipient, paid: list[tuple[str, Money]]) -> Draft:
        """A thank-you for invoices paid after they fell overdue."""
        locale = customer_locale(customer.language, customer.country)
        language = self.templates.language_for("email", customer.language)
        context = {
            "contact_name": customer.contact_name or customer.name,
            "invoices": [{"number": n, "amount": money(a, locale)} for n, a in paid],
            "count": len(paid),
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
