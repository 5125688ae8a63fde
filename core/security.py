"""Security headers for every response (DESIGN.md)."""

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
    """No database stores a NUL byte in text (PostgreSQL refuses it): a request carrying one
    in its path, query or form is turned away before any route sees it."""
    from flask import abort, request

    if "\x00" in request.path:
        abort(404)
    if any("\x00" in value for value in request.args.values()) or (
        request.method == "POST" and any("\x00" in value for value in request.form.values())
    ):
        abort(400)
