"""Events: what happened in a workspace, written in the transaction that made it happen."""
