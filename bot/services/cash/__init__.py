"""Cash application: bank statements matched to invoices (rules in domain/payment_matching.py).

The use cases: `import_statement` (store a statement once, apply what the reference rule
allows, hand the rest to a person), `apply_line` and `not_a_payment` (a person's decision,
exactly once), and the views the Slack cards and the CLI show."""

from bot.channels.bank import BankFileError
from bot.services.cash._applying import BalanceChanged
from bot.services.cash._deciding import (
    Candidate,
    LineDecided,
    LineView,
    Waiting,
    apply_line,
    card_posted,
    line_view,
    lines_to_decide,
    not_a_payment,
    summary_posted,
    waiting_for,
)
from bot.services.cash._statements import (
    BankImport,
    after_import,
    import_bank_file,
    import_statement,
)

__all__ = [
    "BalanceChanged",
    "BankFileError",
    "BankImport",
    "Candidate",
    "LineDecided",
    "LineView",
    "Waiting",
    "after_import",
    "apply_line",
    "card_posted",
    "import_bank_file",
    "import_statement",
    "line_view",
    "lines_to_decide",
    "not_a_payment",
    "summary_posted",
    "waiting_for",
]
