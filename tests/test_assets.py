"""Fingerprinted static URLs (core.assets) and their cache headers."""

import gzip
import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import render_template_string

from core import assets
from core.assets import fingerprint, static_url

YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def fresh_fingerprints():
    assets.clear_fingerprints()
    yield
    assets.clear_fingerprints()


def _sha12(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_static_url_carries_the_first_12_hex_of_the_files_sha256(app):
    css = Path(app.static_folder) / "css" / "site.css"
    with app.test_request_context():
        url = static_url("css/site.css")
        external = static_url("img/logo.svg", _external=True)
    assert url == f"/static/css/site.css?v={_sha12(css)}"
    assert external.startswith("http://") and external.endswith(
        f"/static/img/logo.svg?v={_sha12(Path(app.static_folder) / 'img' / 'logo.svg')}"
    )


def test_static_url_is_a_jinja_global(app):
    with app.test_request_context():
        html = render_template_string("{{ static_url('vendor/htmx/htmx.min.js') }}")
    assert html.startswith("/static/vendor/htmx/htmx.min.js?v=")
    assert len(parse_qs(urlsplit(html).query)["v"][0]) == 12


def test_fingerprint_is_computed_once_per_file_per_process(tmp_path, monkeypatch):
    style = tmp_path / "style.css"
    style.write_text("body { color: green }")
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    first = fingerprint(tmp_path, "style.css")
    style.write_text("body { color: red }")  # not looked at again outside debug mode
    assert fingerprint(tmp_path, "style.css") == first
    assert len(opened) == 1
    assert first == hashlib.sha256(b"body { color: green }").hexdigest()[:12]
    # In debug mode (recheck) a changed file gets a new fingerprint.
    assert fingerprint(tmp_path, "style.css", recheck=True) == _sha12(style) != first


def test_missing_or_escaping_file_has_no_fingerprint(app, tmp_path):
    assert fingerprint(tmp_path, "nothing.css") is None
    assert fingerprint(tmp_path, "../etc/passwd") is None
    with app.test_request_context():
        assert static_url("css/nothing.css") == "/static/css/nothing.css"


def test_send_file_max_age_is_one_year(app):
    assert app.config["SEND_FILE_MAX_AGE_DEFAULT"] == YEAR


def test_fingerprinted_static_file_is_cached_for_a_year(app, client):
    with app.test_request_context():
        url = static_url("css/site.css")
    response = client.get(url)
    assert response.status_code == 200
    cache = response.cache_control
    assert cache.max_age == YEAR and cache.public and cache.immutable
    assert response.headers["Expires"]


@pytest.mark.parametrize("query", ["", "?v=000000000000"])
def test_static_file_without_its_current_fingerprint_must_revalidate(client, query):
    response = client.get(f"/static/css/site.css{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    assert "Expires" not in response.headers
    etag = response.headers["ETag"]
    again = client.get(f"/static/css/site.css{query}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_other_responses_keep_their_cache_headers(client):
    response = client.get("/healthz")
    assert "immutable" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_are_compressed_for_clients_that_ask(client, encoding):
    import brotli

    decompress = {"gzip": gzip.decompress, "br": brotli.decompress}[encoding]
    page = client.get("/", headers={"Accept-Encoding": encoding})
    assert page.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    # (Not compared with a second render: the CSRF token in it changes every second.)
    html = decompress(page.data).decode()
    assert html.startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert len(page.data) < len(html.encode()) / 2


def test_static_files_are_compressed_with_brotli(client):
    # Flask-Compress streams files, and streams in br, zstd or deflate (every browser has br).
    import brotli

    css = client.get("/static/css/site.css", headers={"Accept-Encoding": "gzip, br"})
    assert css.headers["Content-Encoding"] == "br"
    original = (Path(client.application.static_folder) / "css" / "site.css").read_bytes()
    assert brotli.decompress(css.data) == original


def test_nothing_is_compressed_for_clients_that_do_not_ask(client):
    assert "Content-Encoding" not in client.get("/").headers
    assert "Content-Encoding" not in client.get("/static/css/site.css").headers


def test_files_do_not_vary_on_the_session_cookie(client, make):
    """Pages depend on who is logged in; static files and pictures do not, so a changed
    session cookie must not make the browser fetch them again."""
    user = make.user("mua@example.vn", password="mat-khau-dai-1")
    client.post("/login", data={"email": user.email, "password": "mat-khau-dai-1"})
    css = client.get("/static/css/site.css")
    assert css.status_code == 200
    assert "Cookie" not in css.headers.get("Vary", "")
    assert "Set-Cookie" not in css.headers
    page = client.get("/account")
    assert page.status_code == 200 and "Cookie" in page.headers["Vary"]


def test_range_replies_are_not_compressed(client):
    # A 206's Content-Range counts the file's own bytes; compressing the part would break it.
    part = client.get(
        "/static/css/site.css", headers={"Accept-Encoding": "br", "Range": "bytes=0-99"}
    )
    assert part.status_code == 206
    assert "Content-Encoding" not in part.headers and len(part.data) == 100
