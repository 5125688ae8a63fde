"""Security headers for every response, and the CSRF check."""

from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_login import current_user
from flask_wtf import CSRFProtect

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ]
)


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def refuse_nul_bytes():
    """No database stores a NUL byte in text (PostgreSQL refuses it). An address with one is
    not found; in the query string and form it becomes U+FFFD, so bad input still gets a
    normal page (or the form's message) instead of an error."""
    from flask import abort, request
    from werkzeug.datastructures import ImmutableMultiDict

    if "\x00" in request.path:
        abort(404)

    def cleaned(values):
        return ImmutableMultiDict(
            [
                (k.replace("\x00", "\ufffd"), v.replace("\x00", "\ufffd"))
                for k, v in values.items(multi=True)
            ]
        )

    def carries_nul(values) -> bool:
        return any("\x00" in k or "\x00" in v for k, v in values.items(multi=True))

    if carries_nul(request.args):
        request.args = cleaned(request.args)
    if request.method == "POST" and carries_nul(request.form):
        request.form = cleaned(request.form)


def is_local_path(target: str) -> bool:
    """A path of this site that a redirect may follow (`next`), never another host: an open
    redirect. "/\\evil.example" is "//evil.example" to a browser; a control character can
    hide either."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or not target.isprintable():
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def from_this_site() -> bool:
    """The browser says the request comes from a page of this site: Sec-Fetch-Site (every
    browser since 2023), else Origin (every browser sends it with a POST). A forged request
    from another site cannot set either; a client that sends neither is not believed."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin == request.host_url.rstrip("/")


class SiteCSRFProtect(CSRFProtect):
    """Flask-WTF's token check, with one more way in: a guest's POST without a token, from a
    page of this site. The pages kept for guests (core.page_cache) are everyone's, so they
    carry no token; the first thing a guest does there (add to the cart) is such a POST.
    A sent token is always checked, and a logged-in person always needs one."""

    def protect(self, apply_exemptions=False):
        if (
            request.method in current_app.config["WTF_CSRF_METHODS"]
            and not current_user.is_authenticated
            and not self._get_csrf_token()
            and from_this_site()
        ):
            g.csrf_valid = True
            return
        super().protect(apply_exemptions=apply_exemptions)
