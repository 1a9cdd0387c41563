"""What runs: the composition root, the servers and tickers of `relance run`, the CLI, the demo.

The top of the house: it builds the context (`composition.build_runtime`) and hands it to the
adapters below; nothing in `bot` imports it back (the layers contract in pyproject.toml)."""
