"""Staff and homeowner accounts, roles, sessions, API tokens and owner activation."""
