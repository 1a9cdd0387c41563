"""Use cases, one module each. Each owns its transaction (see `bot.db.unit_of_work`)."""
