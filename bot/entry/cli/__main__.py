"""`python -m bot.entry.cli`: the `relance` command."""

from bot.entry.cli import main

raise SystemExit(main())
