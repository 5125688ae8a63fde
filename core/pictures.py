"""Where a picture is served: uploaded ("uploads/<name>", see core.uploads; served by the
public `dashboard.upload`, as core.assets knows it, whichever area took it) or drawn
(a file under static/, fingerprinted so browsers keep it for a year); and the one page for
pictures sent too large for a form.
"""

from flask import render_template, request, url_for

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


def too_large_page(message: str, nothing_saved: str, back_label: str, back_url: str | None = None):
    """The 413 answer of a form whose pictures were over the limit: what the limit is, that
    nothing was saved, and the way back (the form itself unless told)."""
    return render_template(
        "dashboard/too_large.html",
        message=message,
        nothing_saved=nothing_saved,
        back_url=back_url or request.path,
        back_label=back_label,
    ), 413
