"""The customer's page: its links, what a visit shows and records, the statement of account."""
