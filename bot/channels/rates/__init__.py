"""The publishers of the reference rates: one module per format they publish in, each a pure
reader of the response (`parse`) beside the request that fetches it (`fetch`)."""
