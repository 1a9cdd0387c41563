"""The statement of account: the customer's page as a document they can file or forward —
the same open items, credits and totals (`customer_page.load_page`), written by the same
locale functions, so no figure on it can differ from the page's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.channels.statement import Statement, StatementTable, render_statement
from bot.config import Settings
from bot.domain.money import Money
from bot.rendering.locale import customer_locale, long_date, money, staff_date
from bot.rendering.words import words_in
from bot.services.page.customer_page import PageData, PageInvoice


def copy_words(templates_dir: Path, language: str) -> tuple[str, dict[str, str]]:
    """The words of copies and statements (`templates/copies/words.toml`)."""
    return words_in(templates_dir / "copies" / "words.toml", language)


@dataclass(frozen=True)
class StatementPdf:
    filename: str
    content: bytes


def statement_of(data: PageData, settings: Settings, today: date) -> Statement:
    """What the statement says, in the customer's language and locale."""
    language, t = copy_words(settings.templates_dir, data.language)
    locale = customer_locale(language, data.country)

    def short(day: date) -> str:
        return staff_date(day, locale, "short")

    def paid(i: PageInvoice) -> Money:
        return Money(i.amount.amount - i.balance.amount, i.amount.currency)

    tables = []
    if data.invoices:
        tables.append(
            StatementTable(
                t["open_items"],
                (t["number"], t["issued"], t["due"], t["amount"], t["paid"], t["balance"]),
                tuple(
                    (
                        i.number,
                        short(i.issue_date),
                        short(i.due_date),
                        money(i.amount, locale),
                        money(paid(i), locale),
                        money(i.balance, locale),
                    )
                    for i in data.invoices
                ),
                numeric_from=3,
            )
        )
    if data.credits:
        tables.append(
            StatementTable(
                t["credits"],
                (t["number"], t["issued"], t["amount"], t["balance"]),
                tuple(
                    (
                        i.number,
                        short(i.issue_date),
                        money(i.amount, locale),
                        money(i.balance, locale),
                    )
                    for i in data.credits
                ),
                numeric_from=2,
            )
        )
    return Statement(
        company=(settings.company_name, *settings.company_address.splitlines()),
        title=t["statement_title"],
        customer=(
            f"{t['customer']} {data.customer_name}",
            f"{t['account']} {data.customer_ref}",
        ),
        dateline=t["as_of"].format(date=long_date(today, locale)),
        tables=tuple(tables),
        totals=tuple(f"{t['total']} {money(total, locale)}" for total in data.totals),
        empty=t["nothing_open"],
    )


def statement_pdf(data: PageData, settings: Settings, today: date) -> StatementPdf:
    _language, t = copy_words(settings.templates_dir, data.language)
    content = render_statement(
        statement_of(data, settings, today), settings.letter_font, settings.letter_bold_font
    )
    return StatementPdf(f"{t['statement_file']}-{today.isoformat()}.pdf", content)
