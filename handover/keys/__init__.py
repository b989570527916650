"""Key custody: the key ledger, its append-only chain of custody, loans and entrustments."""
