"""Credits: an append-only ledger per workspace, and the balance it adds up to."""
