"""Pictures that people upload: products' pictures and shop logos (marketplace), listing
photos (tourism).

A file counts as a picture only if Pillow can open it as one of a few formats, whatever its name
says. It is then re-encoded (WebP, or JPEG where Pillow lacks WebP), which drops EXIF and
anything else the camera or a crafted file carried, and stored under a random name with a
thumbnail next to it: `<32 hex>.webp` and `<32 hex>-thumb.webp`.
"""

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError, features

# The formats a phone or a camera gives; nothing exotic reaches a decoder.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_BYTES = 5 * 1024 * 1024
# 40 megapixels: bigger than any phone photo, small enough to decode without trouble.
MAX_PIXELS = 40_000_000
LARGE_BOX = (1600, 1600)
THUMB_BOX = (400, 300)
PREFIX = "uploads/"

_SAFE_NAME = re.compile(r"[0-9a-f]{32}(?:-thumb)?\.(?:webp|jpg)\Z")


class UploadRejected(ValueError):
    """Not a picture we keep; `message` says why, for the person."""

    message = _l("Tệp này không phải là ảnh.")


class NotAnImage(UploadRejected):
    message = _l("Tệp này không phải là ảnh. Hãy chọn ảnh JPEG, PNG, WebP hoặc GIF.")


class ImageTooLarge(UploadRejected):
    def __init__(self, max_bytes: int):
        super().__init__(max_bytes)
        self.message = _l(
            "Ảnh quá lớn: tối đa %(mb)s MB. Hãy chọn ảnh nhỏ hơn.", mb=megabytes(max_bytes)
        )


class TooManyPixels(UploadRejected):
    message = _l("Ảnh có kích thước quá lớn (quá 40 triệu điểm ảnh). Hãy thu nhỏ ảnh rồi gửi lại.")


@dataclass(frozen=True)
class PreparedImage:
    """A checked picture, re-encoded and ready to be written."""

    large: bytes
    thumb: bytes
    extension: str  # "webp" or "jpg"


def max_image_bytes() -> int:
    """The biggest picture taken, in bytes (the setting DASHBOARD_MAX_IMAGE_BYTES, else MAX_BYTES)."""
    return current_app.config.get("DASHBOARD_MAX_IMAGE_BYTES", MAX_BYTES)


def upload_folder() -> str:
    """Where uploaded pictures are kept (the setting UPLOAD_FOLDER); served by their name."""
    return current_app.config["UPLOAD_FOLDER"]


def megabytes(n: int) -> str:
    value = n / (1024 * 1024)
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def output_format() -> tuple[str, str]:
    return ("WEBP", "webp") if features.check("webp") else ("JPEG", "jpg")


def prepare_image(stream, max_bytes: int = MAX_BYTES) -> PreparedImage:
    """Read at most max_bytes from stream, check it is a picture and re-encode it.

    Raises ImageTooLarge, TooManyPixels or NotAnImage; nothing is written anywhere.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageTooLarge(max_bytes)
    if not data:
        raise NotAnImage()
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
            probe.verify()  # a truncated or malformed file fails here
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        if image.width * image.height > MAX_PIXELS:
            raise TooManyPixels()
        image.draft("RGB", LARGE_BOX)  # JPEG: decode at a reduced scale, far less memory
        image.load()
        image = ImageOps.exif_transpose(image)  # turn it the way the camera meant, then forget EXIF
    except UploadRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as error:
        raise NotAnImage() from error
    return _encode(image)


def _encode(image: Image.Image) -> PreparedImage:
    pillow_format, extension = output_format()
    keeps_alpha = pillow_format == "WEBP" and (
        image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    )
    icc_profile = image.info.get("icc_profile")  # colours, not personal data
    clean = image.convert("RGBA" if keeps_alpha else "RGB")
    large = clean.copy()
    large.thumbnail(LARGE_BOX, Image.Resampling.LANCZOS)
    thumb = clean.copy()
    thumb.thumbnail(THUMB_BOX, Image.Resampling.LANCZOS)
    return PreparedImage(
        large=_save(large, pillow_format, icc_profile),
        thumb=_save(thumb, pillow_format, icc_profile),
        extension=extension,
    )


def _save(image: Image.Image, pillow_format: str, icc_profile: bytes | None) -> bytes:
    image.info = {}  # no EXIF, XMP or comments from the original travel on
    options = {"quality": 82}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if pillow_format == "JPEG":
        options["optimize"] = True
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def store_image(prepared: PreparedImage, folder: str | Path) -> str:
    """Write the picture and its thumbnail under fresh random names; return "uploads/<name>"."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    name = f"{token}.{prepared.extension}"
    thumb = f"{token}-thumb.{prepared.extension}"
    with open(folder / name, "xb") as out:
        out.write(prepared.large)
    with open(folder / thumb, "xb") as out:
        out.write(prepared.thumb)
    return PREFIX + name


def is_upload(path: str | None) -> bool:
    return bool(path) and path.startswith(PREFIX)


def is_safe_name(name: str) -> bool:
    """Only names store_image makes: no folders, no dots but the extension's."""
    return bool(_SAFE_NAME.match(name or ""))


def thumbnail_path(path: str) -> str:
    """ "uploads/abc.webp" -> "uploads/abc-thumb.webp"; other paths stay as they are."""
    if not is_upload(path):
        return path
    stem, _, extension = path.rpartition(".")
    return f"{stem}-thumb.{extension}"


def delete_stored(path: str, folder: str | Path) -> None:
    """Remove an uploaded picture and its thumbnail; demo pictures under static/ stay."""
    if not is_upload(path):
        return
    for stored in (path, thumbnail_path(path)):
        name = stored.removeprefix(PREFIX)
        if is_safe_name(name):
            (Path(folder) / name).unlink(missing_ok=True)
