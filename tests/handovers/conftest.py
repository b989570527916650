"""Handover test fixtures: the fee cases the gate must get right."""
from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture
from tests.fixtures.keys import keys  # noqa: F401 - fixture
