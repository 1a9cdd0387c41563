"""A customer's account between reminders: promises, payment plans and their notices, disputes,
pauses, payments seen in the ledger, calls, owners and contact changes."""
