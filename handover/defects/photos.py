"""Photo intake: only real images, size-limited, re-encoded without EXIF (GPS), with thumbnails."""
import io
import uuid
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from handover.core.errors import ValidationFailed

MAX_PHOTO_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; larger is a decompression bomb, not a photo
LONG_EDGE = 2048
THUMB_EDGE = 320
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}


@dataclass(frozen=True)
class ProcessedPhoto:
    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _refuse(message: str):
    raise ValidationFailed(message, details=[{"field": "file", "message": message}])


def process_photo(content: bytes) -> ProcessedPhoto:
    """Verify and normalise an uploaded photo. Raises ValidationFailed with a clear reason."""
    if not content:
        _refuse(_("The photo is empty."))
    if len(content) > MAX_PHOTO_BYTES:
        _refuse(_("The photo is larger than %(mb)d MB.", mb=MAX_PHOTO_BYTES // (1024 * 1024)))
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                _refuse(_("Only JPEG, PNG or WebP photos are accepted."))
            if probe.width * probe.height > MAX_PIXELS:
                _refuse(_("The photo has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the camera's orientation, then drop EXIF
            image = image.convert("RGB")
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _refuse(_("The file is not a valid image."))
    image.thumbnail((LONG_EDGE, LONG_EDGE))
    full = _jpeg(image, 85)
    thumb = image.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
    return ProcessedPhoto(image=full, thumbnail=_jpeg(thumb, 75), width=image.width, height=image.height)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)  # no exif= argument: nothing is carried over
    return out.getvalue()


def photo_paths(defect_id: str) -> tuple[str, str]:
    name = uuid.uuid4().hex
    return f"defects/{defect_id}/{name}.jpg", f"defects/{defect_id}/{name}_thumb.jpg"
