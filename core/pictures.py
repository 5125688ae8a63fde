"""Where a picture is served: uploaded ("uploads/<name>", see core.uploads; served by the
public `dashboard.upload`, as core.assets knows it, whichever area took it) or drawn
(a file under static/, fingerprinted so browsers keep it for a year)."""

from flask import url_for

from core.assets import static_url
from core.uploads import is_upload, thumbnail_path

PLACEHOLDER = "img/products/placeholder.svg"


def image_url(path: str | None, *, small: bool = False, external: bool = False) -> str:
    """`small`: the thumbnail (at most 400 × 300) for cards, rows and lists; the full picture
    is for the product's own page."""
    path = path or PLACEHOLDER
    if is_upload(path):
        name = (thumbnail_path(path) if small else path).removeprefix("uploads/")
        return url_for("dashboard.upload", name=name, _external=external)
    return static_url(path, _external=external)
