"""Pure domain rules: no I/O, no database, no Slack. Tested without any of them."""
