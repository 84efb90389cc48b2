"""Verification: the public lookup by number, SHA-256 or ISRC, and the charged deep one."""
