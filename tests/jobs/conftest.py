"""The jobs tests reuse the reporting scenario."""
from tests.reporting.conftest import defect_world  # noqa: F401 - a fixture
