"""Core tests borrow the defect fixtures to exercise the kit through a real domain."""
from tests.defects.conftest import record  # noqa: F401 - a fixture
