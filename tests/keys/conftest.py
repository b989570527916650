"""Key test fixtures (defined in tests/fixtures/keys.py, shared with the browser tests)."""
from tests.fixtures.keys import keys, settled_unit  # noqa: F401 - fixtures
