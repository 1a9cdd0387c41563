"""The customer's page: a signed link opens their open invoices, how to pay them, and forms to
answer; served beside the Slack endpoints. No business rule here: services decide."""
