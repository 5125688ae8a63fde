"""Fingerprinted static URLs and their cache headers.

`static_url("css/site.css")` (a Jinja global) gives `/static/css/site.css?v=3f2a9c0b1d4e`: the
first 12 hex digits of the file's SHA-256, computed once per file per process (in debug mode
again whenever the file changes). A changed file gets a new URL, so a URL with the right
fingerprint may be cached for a year (SEND_FILE_MAX_AGE_DEFAULT) and is marked immutable.

A static response whose URL lacks the file's current fingerprint (a plain
`url_for('static', …)`, an image path kept in the database, an old fingerprint) is sent with
`Cache-Control: no-cache` instead: browsers keep it but ask again each time (a cheap 304 with
the ETag), so nothing unversioned can stay stale for a year.
"""

import hashlib
import os

from flask import Flask, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

FINGERPRINT_LENGTH = 12

# (absolute path, None or (mtime, size) in debug mode) -> fingerprint
_fingerprints: dict[tuple[str, tuple[int, int] | None], str] = {}


# Files that are the same for everyone: static files and uploaded pictures.
FILE_ENDPOINTS = ("static", "dashboard.upload")


class FilesIgnoreSession(SecureCookieSessionInterface):
    """Flask (3.1.3+) adds `Vary: Cookie` to every response that touched the session, and
    Flask-Login touches it on every response. On a file that would make browsers fetch the
    year-cached CSS, JS and pictures again whenever the session cookie changes (each login,
    each change to a guest's cart). A file does not depend on the session, so its response
    neither varies on it nor saves it, unless something did change the session."""

    def save_session(self, app, session, response) -> None:
        if request.endpoint in FILE_ENDPOINTS and not session.modified:
            return
        super().save_session(app, session, response)


def init_assets(app: Flask) -> None:
    app.add_template_global(static_url, "static_url")
    app.after_request(static_cache_headers)
    app.session_interface = FilesIgnoreSession()


def static_url(filename: str, **values) -> str:
    """url_for('static', filename=…) with the file's fingerprint as `v`. Other arguments
    (such as _external=True) pass through. A missing file gets no fingerprint."""
    version = fingerprint(current_app.static_folder, filename, recheck=current_app.debug)
    if version:
        values["v"] = version
    return url_for("static", filename=filename, **values)


def fingerprint(folder: str | os.PathLike, filename: str, *, recheck: bool = False) -> str | None:
    """First 12 hex digits of the SHA-256 of folder/filename, or None when there is no such
    file (or the name leaves the folder). Cached per process; with `recheck` the cache entry
    also depends on the file's modification time and size."""
    path = safe_join(os.fspath(folder), filename)
    if path is None:
        return None
    try:
        stamp = None
        if recheck:
            status = os.stat(path)
            stamp = (status.st_mtime_ns, status.st_size)
        key = (path, stamp)
        version = _fingerprints.get(key)
        if version is None:
            with open(path, "rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
            version = _fingerprints[key] = digest[:FINGERPRINT_LENGTH]
    except OSError:  # missing, a folder, unreadable: no fingerprint, and nothing cached
        return None
    return version


def clear_fingerprints() -> None:
    _fingerprints.clear()


def static_cache_headers(response):
    """Long, immutable caching only for a static URL carrying the file's current fingerprint."""
    if request.endpoint != "static" or response.status_code not in (200, 206, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = fingerprint(current_app.static_folder, filename, recheck=current_app.debug)
    if current is not None and request.args.get("v") == current:
        response.cache_control.immutable = True
    else:
        response.headers["Cache-Control"] = "no-cache"
        response.headers.pop("Expires", None)
    return response
