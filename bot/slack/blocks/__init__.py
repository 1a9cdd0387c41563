"""Block Kit builders: pure functions, data in, blocks out, within Slack's limits."""
