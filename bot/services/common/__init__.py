"""What every feature package shares: the context use cases run in, the read helpers over the
tables, the policy that governs a customer, the errors a person is shown, the request journal."""
