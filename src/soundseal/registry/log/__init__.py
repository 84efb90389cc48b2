"""The registry's transparency logs: one append-only Merkle log per mode, whose leaves are
the signed statements of the change feed's entries (see `services` and `docs/trust.md`)."""
