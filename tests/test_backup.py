"""flask backup and flask restore (core.backup): a SQLite site backed up while it writes."""

import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from app import create_app
from core import backup as backup_module
from core.extensions import db
from core.models import District

ON_POSTGRESQL = not os.environ.get("TEST_DATABASE_URL", "sqlite").startswith("sqlite")
sqlite_only = pytest.mark.skipif(
    ON_POSTGRESQL,
    reason="flask backup copies SQLite databases; this run is on PostgreSQL "
    "(TEST_DATABASE_URL), whose backups are pg_dump's job "
    "(test_backup_on_postgresql_points_to_pg_dump checks that it says so)",
)

WRITTEN = "Huyện Ghi "  # districts the writer thread adds, numbered from 1


@pytest.fixture(scope="module")
def site_app(tmp_path_factory):
    """An app of its own on a SQLite file: a restore replaces the whole database."""
    if ON_POSTGRESQL:
        pytest.skip("SQLite only")
    folder = tmp_path_factory.mktemp("site")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'ocop.db'}",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX": str(folder / "outbox"),
            "UPLOAD_FOLDER": str(folder / "uploads"),
        }
    )
    with app.app_context(), _logging_left_as_it_was():
        upgrade()
        db.session.remove()
    return app


@contextmanager
def _logging_left_as_it_was():
    """migrations/env.py runs logging.config.fileConfig, which disables every logger that
    exists (the app's among them) and replaces the root handlers; later tests that read the
    app's log lines need them back as they were."""
    loggers = [
        x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger)
    ]
    disabled = {logger: logger.disabled for logger in loggers}
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for logger, state in disabled.items():
            logger.disabled = state
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.fixture()
def site(site_app):
    """The site, with no rows and no uploads at the start of the test."""
    uploads = Path(site_app.config["UPLOAD_FOLDER"])
    shutil.rmtree(uploads, ignore_errors=True)
    uploads.mkdir()
    with site_app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(text(f'DELETE FROM "{table.name}"'))
        db.session.commit()
        yield site_app
        db.session.remove()


def _uploads(app) -> Path:
    return Path(app.config["UPLOAD_FOLDER"])


def _database(app) -> Path:
    return Path(db.engine.url.database)


def _district_names() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(District.name)))


def _add_district(name: str) -> None:
    db.session.add(District(name=name, slug=name.lower().replace(" ", "-"), kind="district"))
    db.session.commit()


def _ballast(rows: int) -> None:
    """Some megabytes of districts, so that copying the database takes a while."""
    db.session.execute(
        text(
            "INSERT INTO districts (name, slug, kind) "
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :rows) "
            "SELECT 'Huyện Nền ' || i || ' ' || hex(randomblob(120)), 'nen-' || i, 'district' "
            "FROM n"
        ),
        {"rows": rows},
    )
    db.session.commit()


class Writer(threading.Thread):
    """Another worker of the site: adds a district per transaction until stopped."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app = app
        self.written = 0
        self.errors = []
        self.halt = threading.Event()

    def run(self):
        with self.app.app_context():
            while not self.halt.is_set():
                number = self.written + 1
                try:
                    _add_district(f"{WRITTEN}{number}")
                    self.written = number
                except Exception as error:  # noqa: BLE001 - the test reports any failure
                    db.session.rollback()
                    self.errors.append(error)
                    return
            db.session.remove()

    def wait_for(self, count: int, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.written < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.001)
        assert self.written >= count, self.errors

    def finish(self) -> None:
        self.halt.set()
        self.join(10)


def _archived_database(archive: Path, folder: Path) -> Path:
    with tarfile.open(archive) as tar:
        data = tar.extractfile("database.sqlite3").read()
    path = folder / "copy.sqlite3"
    path.write_bytes(data)
    return path


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


@sqlite_only
def test_backup_while_the_site_writes_then_restore(site, tmp_path, monkeypatch):
    _ballast(20_000)
    _add_district("Huyện Gốc")
    picture = _uploads(site) / "3f9a0c1b2d4e5f60718293a4b5c6d7e8.webp"
    picture.write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 picture of a pineapple")

    writer = Writer(site)
    writes_during_copy = []
    real_copy = backup_module.copy_database

    def copy_while_watching(source, destination):
        before = writer.written
        real_copy(source, destination)
        writes_during_copy.append(writer.written - before)

    monkeypatch.setattr(backup_module, "copy_database", copy_while_watching)
    archive = tmp_path / "backups" / "site.tar.gz"
    writer.start()
    try:
        writer.wait_for(20)
        written_before = writer.written
        result = site.test_cli_runner().invoke(args=["backup", str(archive)])
        writer.wait_for(writer.written + 20)  # and the site goes on writing afterwards
    finally:
        writer.finish()
    assert result.exit_code == 0, result.output
    assert f"Backup written to {archive}" in result.output
    assert writer.errors == []  # the backup held no writer up long enough to fail
    assert writes_during_copy and writes_during_copy[0] > 0, "no write overlapped the copy"

    # The copy opens, passes the integrity check, and is the database at one moment: the
    # writer's districts 1..n, none missing, where n lies between before and after the backup.
    copy = _archived_database(archive, tmp_path)
    connection = sqlite3.connect(copy)
    assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    copied = {name for (name,) in connection.execute("SELECT name FROM districts")}
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    connection.close()
    numbers = sorted(int(n.removeprefix(WRITTEN)) for n in copied if n.startswith(WRITTEN))
    assert numbers == list(range(1, len(numbers) + 1))
    assert written_before <= len(numbers) <= writer.written
    assert "Huyện Gốc" in copied

    manifest = _manifest(archive)
    assert manifest["schema_revision"] == revision
    assert manifest["counts"]["districts"] == len(copied) == 20_000 + 1 + len(numbers)
    assert manifest["uploads"] == {"files": 1, "bytes": picture.stat().st_size}
    assert manifest["created_at"].endswith("Z")

    # Change everything, with another connection holding the database open (another worker).
    other_worker = sqlite3.connect(_database(site), isolation_level=None)
    assert other_worker.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    db.session.execute(text("DELETE FROM districts WHERE name LIKE 'Huyện%'"))
    db.session.commit()
    _add_district("Huyện Sau Sao Lưu")
    original_picture = picture.read_bytes()
    picture.unlink()
    later = _uploads(site) / "0123456789abcdef0123456789abcdef.webp"
    later.write_bytes(b"a picture uploaded after the backup")
    assert other_worker.execute("SELECT count(*) FROM districts").fetchone() == (1,)

    restored = site.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output

    assert _district_names() == copied
    assert picture.read_bytes() == original_picture
    assert not later.exists()
    assert sorted(p.name for p in _uploads(site).iterdir()) == [picture.name]  # no leftovers
    assert other_worker.execute("SELECT count(*) FROM districts").fetchone() == (len(copied),)
    assert other_worker.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    other_worker.close()
    # The site goes on working on the restored database.
    _add_district("Huyện Sau Khôi Phục")
    assert "Huyện Sau Khôi Phục" in _district_names()


@sqlite_only
def test_restore_needs_yes_to_replace_a_site_with_data(site, tmp_path):
    _add_district("Huyện Trong Sao Lưu")
    (_uploads(site) / "a.webp").write_bytes(b"picture a")
    archive = tmp_path / "b.tar.gz"
    runner = site.test_cli_runner()
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    _add_district("Huyện Mới")

    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "--yes" in refused.output and "site has data" in refused.output
    assert _district_names() == {"Huyện Trong Sao Lưu", "Huyện Mới"}
    assert not list(_uploads(site).glob(".restore-*"))  # the staging folder is gone

    # An empty site (a new machine after `flask init-db`) takes the backup without --yes.
    db.session.execute(text("DELETE FROM districts"))
    db.session.commit()
    (_uploads(site) / "a.webp").unlink()
    live_version = _page_version()
    assert runner.invoke(args=["restore", str(archive)]).exit_code == 0
    assert _district_names() == {"Huyện Trong Sao Lưu"}
    assert (_uploads(site) / "a.webp").read_bytes() == b"picture a"
    # The backup's page version was older: the restored site's is new, so no page kept for
    # the site before (core.page_cache) is taken for the restored one's.
    assert _page_version() > live_version


def _page_version() -> int:
    db.session.rollback()
    return db.session.execute(text("SELECT version FROM page_version")).scalar_one()


def _rewrite(archive: Path, target: Path, change) -> Path:
    """Copy a backup, passing each (TarInfo, bytes) through `change` (None drops it)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else b""
            changed = change(member, data)
            if changed is None:
                continue
            member, data = changed
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@sqlite_only
def test_restore_checks_the_backup_before_changing_anything(site, tmp_path):
    _add_district("Huyện Thật")
    (_uploads(site) / "a.webp").write_bytes(b"picture a")
    archive = tmp_path / "good.tar.gz"
    runner = site.test_cli_runner()
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    _add_district("Huyện Hiện Tại")

    def wrong_counts(member, data):
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["counts"]["districts"] += 1
            data = json.dumps(manifest).encode()
        return member, data

    def _damage(data):  # garble the second page (the first holds the header)
        return data[:4096] + bytes(b ^ 0x5A for b in data[4096:8192]) + data[8192:]

    def damaged_database(member, data):
        if member.name == "database.sqlite3":
            data = _damage(data)
        return member, data

    def damaged_with_its_checksum(member, data):
        # The manifest comes last, so the damaged database's checksum is known by then.
        if member.name == "database.sqlite3":
            data = _damage(data)
            damaged_with_its_checksum.sha256 = hashlib.sha256(data).hexdigest()
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["sha256"] = damaged_with_its_checksum.sha256
            data = json.dumps(manifest).encode()
        return member, data

    def lost_upload(member, data):
        return None if member.name.startswith("uploads/") else (member, data)

    def escaping_name(member, data):
        if member.name.startswith("uploads/"):
            member.name = "uploads/../../evil.webp"
        return member, data

    cases = {
        wrong_counts: "do not match its manifest",
        damaged_database: "checksum",
        damaged_with_its_checksum: "damaged",
        lost_upload: "uploads (0 files, 0 bytes) do not match",
        escaping_name: "Unexpected entry",
    }
    for change, complaint in cases.items():
        bad = _rewrite(archive, tmp_path / f"{change.__name__}.tar.gz", change)
        result = runner.invoke(args=["restore", str(bad), "--yes"])
        assert result.exit_code != 0 and complaint in result.output, (change, result.output)
    not_a_backup = tmp_path / "notes.tar.gz"
    not_a_backup.write_text("hello")
    result = runner.invoke(args=["restore", str(not_a_backup), "--yes"])
    assert result.exit_code != 0 and "not a readable backup" in result.output

    assert _district_names() == {"Huyện Thật", "Huyện Hiện Tại"}
    assert (_uploads(site) / "a.webp").read_bytes() == b"picture a"
    assert not (tmp_path.parent / "evil.webp").exists()


@sqlite_only
def test_backup_never_overwrites_and_names_a_file_in_a_folder(site, tmp_path):
    _add_district("Huyện Một")
    runner = site.test_cli_runner()
    existing = tmp_path / "taken.tar.gz"
    existing.write_text("keep me")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code != 0 and "exists already" in result.output
    assert existing.read_text() == "keep me"

    folder = tmp_path / "nightly"
    folder.mkdir()
    assert runner.invoke(args=["backup", str(folder)]).exit_code == 0
    (made,) = folder.iterdir()
    assert made.name.startswith("ocop-backup-") and made.name.endswith(".tar.gz")
    assert _manifest(made)["counts"]["districts"] == 1


def test_backup_on_postgresql_points_to_pg_dump(tmp_path):
    app = create_app(
        {
            # Never connected to: the command looks at the URL only.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://ocop@127.0.0.1:9/ocop",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        }
    )
    runner = app.test_cli_runner()
    target = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output and "SQLite databases only" in result.output
    assert not target.exists()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "pg_restore" in result.output
