"""Fee test fixtures."""
from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture
