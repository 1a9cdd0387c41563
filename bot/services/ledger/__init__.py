"""The ledger in: invoice exports (all or nothing), a watched folder, past contacts; the aging
report out."""
