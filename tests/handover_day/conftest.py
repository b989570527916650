"""Handover-day fixtures: the fee cases plus a batch whose handover day is set up."""
import base64
import io

import pytest
from PIL import Image

from tests.fees.demo_cases import demo_cases  # noqa: F401 - fixture


def png_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def day(demo_cases, api):  # noqa: F811
    """The demo batch with one slot tomorrow (capacity 2) set up by sales."""
    api.token("sales")
    slot = api.post(f"/api/v1/batches/{demo_cases.batch_id}/slots",
                    json={"starts_at": "2099-06-01T09:00:00+08:00", "ends_at": "2099-06-01T10:00:00+08:00",
                          "capacity": 2})
    assert slot.status_code == 201, slot.get_json()
    return slot.get_json()
