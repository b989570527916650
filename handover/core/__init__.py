"""Building blocks without domain knowledge: base model, column types, errors, access, time, money."""
