"""Field client fixtures: keys moved through the real services."""
from tests.fixtures.keys import keys  # noqa: F401 - fixture
