"""Signatures drawn on the tablet are verified and re-encoded like photos, with a pixel limit
(issue 10, item 10): a 9000×9000 PNG is refused, a big one is scaled down, metadata goes."""
import base64
import io

import sqlalchemy as sa
from PIL import Image, PngImagePlugin

from handover.core import storage
from handover.extensions import db
from handover.keys.models import KeyEvent
from tests.keys.test_api import _event, _key, _settled_unit


def _png(width, height, **text) -> str:
    info = PngImagePlugin.PngInfo()
    for name, value in text.items():
        info.add_text(name, value)
    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, "PNG", pnginfo=info, optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _ready_key(world, make_unit, api):
    unit = _settled_unit(world, make_unit, api)
    api.token("property")
    key = _key(api, unit.id)
    assert _event(api, key["id"], "received", to="总包").status_code == 201
    return key


def _stored(app):
    with app.app_context():
        paths = db.session.scalars(sa.select(KeyEvent.signature_path).where(KeyEvent.signature_path.is_not(None))).all()
        return [storage.resolve(path) for path in paths]


def test_a_9000_by_9000_signature_is_refused(world, make_unit, api, app):
    key = _ready_key(world, make_unit, api)
    huge = _png(9000, 9000)
    assert len(huge) < 512 * 1024 * 4 / 3  # small on the wire: only the pixel count gives it away
    response = _event(api, key["id"], "handed_to_owner", to="张伟", signature=huge)
    assert response.status_code == 422
    assert response.get_json()["details"][0]["field"] == "signature"
    assert _stored(app) == []


def test_a_large_signature_is_scaled_down_and_re_encoded_without_metadata(world, make_unit, api, app):
    key = _ready_key(world, make_unit, api)
    response = _event(api, key["id"], "handed_to_owner", to="张伟",
                      signature=_png(3000, 1500, Comment="tracking-id-123"))
    assert response.status_code == 201, response.get_json()
    [path] = _stored(app)
    with Image.open(path) as stored:
        assert stored.format == "PNG" and max(stored.size) <= 1600
        assert "Comment" not in stored.info
    assert b"tracking-id-123" not in path.read_bytes()
