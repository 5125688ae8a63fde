"""Backup and restore of a SQLite site: `flask backup PATH`, `flask restore PATH`.

A backup is one `.tar.gz` file:

    database.sqlite3   a consistent copy of the database, made with SQLite's online backup API
    uploads/...        the uploads folder (cooperatives' pictures)
    manifest.json      when, which schema revision, how many rows per table, checksums

One file rather than a folder: it can be copied off the machine as it is (scp, object
storage), it appears only once complete (written under a temporary name, then renamed), and
the manifest cannot get separated from what it describes.

The database copy is taken while the site runs: the backup API copies every page within one
read transaction, so the copy is the database as it was at one instant, and in WAL mode the
site's writers are not held up meanwhile. The uploads are archived after that instant; a
picture is written before the row that names it is committed, so every picture the copy
refers to is in the archive (pictures added later are merely extra), except one deleted in
the seconds between the two, which was on its way out anyway.

The copy is written to the temporary folder first (TMPDIR, if /tmp is too small).

PostgreSQL is not handled here: pg_dump and pg_restore do that job.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from flask import current_app

from core import page_cache
from core.db import UNMODELLED_TABLE_PREFIXES
from core.extensions import db

FORMAT = "ocop-backup/1"
MANIFEST = "manifest.json"
DATABASE = "database.sqlite3"
UPLOADS = "uploads"
# How long to wait for the database's locks (seconds); the site's own busy timeout is 10 s.
LOCK_TIMEOUT = 30

POSTGRESQL_BACKUP = (
    "flask backup and flask restore handle SQLite databases only; this site uses {dialect}. "
    'Back it up with the database\'s own tool, e.g. `pg_dump --format=custom --file=ocop.dump "$DATABASE_URL"` '
    '(restore with `pg_restore --clean --no-owner --dbname "$DATABASE_URL" ocop.dump`, '
    "then `flask init-db`: it also renews the page version, so no page kept before is "
    "served), and copy the uploads folder ({uploads}) alongside it."
)


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


class RestoreRefused(BackupError):
    """The site has data and the restore was not confirmed (--yes)."""


@dataclass
class Backup:
    path: Path
    manifest: dict

    def summary(self) -> str:
        return describe(self.manifest)


def describe(manifest: dict) -> str:
    counts = manifest["counts"]
    files = manifest["uploads"]["files"]
    busiest = ", ".join(
        f"{name} {n}" for name, n in sorted(counts.items(), key=lambda item: -item[1])[:5] if n
    )
    return (
        f"made {manifest['created_at']}, schema revision {manifest['schema_revision']}, "
        f"{sum(counts.values())} rows in {len(counts)} tables ({busiest or 'all empty'}), "
        f"{files} uploaded file{'' if files == 1 else 's'}"
    )


# -- backup ------------------------------------------------------------------------------------


def create_backup(target: str | Path) -> Backup:
    """Write a backup of the database and the uploads to `target`.

    `target` is the archive to write (it must not exist yet), or an existing folder in which
    the archive gets a dated name.
    """
    database = sqlite_database_path()
    if not database.exists():
        raise BackupError(f"There is no database at {database}; nothing to back up.")
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    created = datetime.now(UTC)
    target = Path(target)
    if target.is_dir():
        target = target / f"ocop-backup-{created:%Y%m%d-%H%M%S}.tar.gz"
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name or a folder.")
    target.parent.mkdir(parents=True, exist_ok=True)

    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    with tempfile.TemporaryDirectory(prefix="ocop-backup-") as scratch:
        copy = Path(scratch) / DATABASE
        copy_database(database, copy)
        problems = integrity_problems(copy)
        if problems:
            raise BackupError(f"The copy of the database is damaged: {problems}")
        revision = schema_revision(copy)
        if revision is None:
            raise BackupError(
                f"The database {database} has no schema yet (run `flask init-db`); "
                "nothing to back up."
            )
        manifest = {
            "format": FORMAT,
            "created_at": created.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "schema_revision": revision,
            "counts": table_counts(copy),
            "database": {"bytes": copy.stat().st_size, "sha256": sha256_of(copy)},
            "sqlite_version": sqlite3.sqlite_version,
        }
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(copy, arcname=DATABASE)
                manifest["uploads"] = _add_uploads(tar, uploads)
                # Last, because only now is it known which uploads made it into the archive.
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return Backup(target, manifest)


def copy_database(source: Path, destination: Path) -> None:
    """Copy a live SQLite database with the online backup API.

    All pages are copied in one step, that is within one read transaction: the copy is
    consistent, and (in WAL mode) writers go on meanwhile. A copy in several steps would
    restart every time another connection writes, so on a busy site it might never finish.
    The copy is switched out of WAL mode so that it is one self-contained file.
    """
    src = sqlite3.connect(source, timeout=LOCK_TIMEOUT)
    dest = sqlite3.connect(destination)
    try:
        src.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()
        src.close()


def _add_uploads(tar: tarfile.TarFile, folder: Path) -> dict:
    files = size = 0
    if not folder.is_dir():
        return {"files": 0, "bytes": 0}
    for path, relative in _visible_files(folder):
        try:
            with path.open("rb") as stream:
                info = tar.gettarinfo(arcname=f"{UPLOADS}/{relative.as_posix()}", fileobj=stream)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                tar.addfile(info, stream)
        except FileNotFoundError:  # deleted since the listing: it is not in the backup
            continue
        files += 1
        size += info.size
    return {"files": files, "bytes": size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


# -- restore -----------------------------------------------------------------------------------


def restore_backup(archive: str | Path, *, overwrite: bool = False) -> Backup:
    """Put a backup's database and uploads back in place.

    The whole archive is checked first (manifest, checksum, integrity, row counts, a schema
    revision this code knows); nothing is changed unless all of it is right. If the site
    already has data, `overwrite` must be true. The database is written with the backup API,
    so a database in use (WAL mode, other connections open) is replaced safely: the other
    connections see the restored data at their next transaction. The uploads folder is made
    to hold exactly the backup's files.
    """
    database = sqlite_database_path()
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"There is no backup file at {archive}.")
    uploads.mkdir(parents=True, exist_ok=True)
    # The pictures are staged inside the uploads folder so that they can be moved in place
    # (same file system, also when the folder is a mounted shared disk); the folder is hidden,
    # so no URL reaches it. The database is staged on local disk.
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=uploads))
    scratch = Path(tempfile.mkdtemp(prefix="ocop-restore-"))
    try:
        manifest = _unpack(archive, database=scratch / DATABASE, uploads=staging)
        _check(manifest, scratch / DATABASE, staging)
        if not overwrite and site_has_data(database, uploads):
            raise RestoreRefused(
                f"The backup is sound ({describe(manifest)}), but the site has data now: "
                f"the database {database} and the uploads in {uploads} would be replaced. "
                "Add --yes to replace them."
            )
        database.parent.mkdir(parents=True, exist_ok=True)
        # Our own pooled connections would otherwise keep cached schema and snapshots.
        db.engine.dispose()
        write_database(scratch / DATABASE, database)
        _replace_uploads(staging, uploads)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    db.engine.dispose()
    # The restored page version is an old one: pages kept since would be taken for its. An
    # older schema's backup needs `flask init-db` (the command says so), which renews it.
    if manifest["schema_revision"] == newest_revision():
        page_cache.renew_version()
    return Backup(archive, manifest)


def write_database(source: Path, database: Path) -> None:
    """Replace `database` by `source`'s content through the backup API (not a file copy, which
    would corrupt a database in WAL mode that other connections have open)."""
    src = sqlite3.connect(source)
    dest = sqlite3.connect(database, timeout=LOCK_TIMEOUT)
    try:
        src.backup(dest)
    except sqlite3.Error as e:
        raise BackupError(f"Could not write the database {database}: {e}") from e
    finally:
        dest.close()
        src.close()


def _unpack(archive: Path, *, database: Path, uploads: Path) -> dict:
    """Extract the archive's database to `database` and its uploads into the folder
    `uploads`, accepting only the names a backup has; return the manifest."""
    manifest = None
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                if member.isdir():
                    continue
                name = _member_name(member)
                stream = tar.extractfile(member)
                if name == MANIFEST:
                    manifest = json.loads(stream.read().decode())
                    continue
                if name == DATABASE:
                    destination = database
                else:
                    destination = uploads.joinpath(*PurePosixPath(name).parts[1:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                with destination.open("xb") as out:
                    shutil.copyfileobj(stream, out)
    except (tarfile.TarError, EOFError, OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BackupError(f"{archive} is not a readable backup: {e}") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has no {FORMAT} manifest; is it a backup of this site?")
    return manifest


def _member_name(member: tarfile.TarInfo) -> str:
    name = member.name
    path = PurePosixPath(name)
    safe = (
        member.isfile()
        and not path.is_absolute()
        and ".." not in path.parts
        and (name in (MANIFEST, DATABASE) or (path.parts[0] == UPLOADS and len(path.parts) > 1))
    )
    if not safe:
        raise BackupError(f"Unexpected entry {name!r} in the backup; refusing to restore it.")
    return name


def _check(manifest: dict, copy: Path, uploads: Path) -> None:
    try:
        expected_sha256 = str(manifest["database"]["sha256"])
        expected_uploads = {
            "files": int(manifest["uploads"]["files"]),
            "bytes": int(manifest["uploads"]["bytes"]),
        }
        expected_counts = dict(manifest["counts"])
        revision = str(manifest["schema_revision"])
        manifest["created_at"]  # noqa: B018 - shown in messages, so it must be there
    except (KeyError, TypeError, ValueError) as e:
        raise BackupError(f"The backup's manifest is incomplete ({e!r}).") from e
    if not copy.is_file():
        raise BackupError("The backup has no database.")
    if sha256_of(copy) != expected_sha256:
        raise BackupError("The backup's database does not match its manifest's checksum.")
    problems = integrity_problems(copy)
    if problems:
        raise BackupError(f"The backup's database is damaged: {problems}")
    if schema_revision(copy) != revision:
        raise BackupError("The backup's schema revision does not match its manifest.")
    if table_counts(copy) != expected_counts:
        raise BackupError("The rows in the backup's database do not match its manifest.")
    files = [p for p in uploads.rglob("*") if p.is_file()]
    found = {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}
    if found != expected_uploads:
        raise BackupError(
            f"The backup's uploads ({found['files']} files, {found['bytes']} bytes) do not "
            f"match its manifest ({expected_uploads['files']} files, "
            f"{expected_uploads['bytes']} bytes)."
        )
    _check_revision_known(revision)


def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(current_app.extensions["migrate"].directory)


def newest_revision() -> str | None:
    """The newest schema revision of this code's migrations."""
    return _scripts().get_current_head()


def _check_revision_known(revision: str) -> None:
    try:
        known = _scripts().get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        known = False
    if not known:
        raise BackupError(
            f"The backup's schema revision {revision} is unknown to this version of the code "
            "(made by a newer version?); restore it with the code it was made with."
        )


def _replace_uploads(source: Path, folder: Path) -> None:
    """Move the backup's files into `folder`, then remove the files it did not have. Hidden
    files are left alone, as the backup left them out (our staging folder, NFS's .nfs*)."""
    restored = set()
    if source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.is_file():
                relative = path.relative_to(source)
                destination = folder / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, destination)
                restored.add(relative)
    for path, relative in _visible_files(folder):
        if relative not in restored:
            path.unlink()


def _visible_files(folder: Path):
    """(path, path relative to folder) of each regular file, hidden ones and links left out."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_symlink() or not path.is_file():
            continue
        yield path, relative


def site_has_data(database: Path, uploads: Path) -> bool:
    """Rows in any table (other than Alembic's), or files in the uploads folder."""
    if database.exists() and database.stat().st_size and any(table_counts(database).values()):
        return True
    return uploads.is_dir() and next(_visible_files(uploads), None) is not None


# -- small helpers -----------------------------------------------------------------------------


def sqlite_database_path() -> Path:
    """The database file, or BackupError (with the pg_dump advice) on another database."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            POSTGRESQL_BACKUP.format(
                dialect=url.get_backend_name(), uploads=current_app.config["UPLOAD_FOLDER"]
            )
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"Cannot back up the SQLite database {url.database!r}: not a file.")
    return Path(url.database).resolve()


def _open_existing(path: Path) -> sqlite3.Connection:
    """A connection to an existing database file (never creates one). Read-write mode, since
    a read-only connection cannot open a WAL database whose -shm file is missing."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=LOCK_TIMEOUT)


def integrity_problems(path: Path) -> str:
    """ "" when `PRAGMA integrity_check` says ok, else what it says."""
    connection = _open_existing(path)
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        connection.close()
    return "" if rows == ["ok"] else "; ".join(rows[:5])


def schema_revision(path: Path) -> str | None:
    connection = _open_existing(path)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return None
    finally:
        connection.close()


def table_counts(path: Path) -> dict[str, int]:
    """Rows per table; not SQLite's own tables, Alembic's, or the search index's."""
    connection = _open_existing(path)
    try:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if not name.startswith(("sqlite_", "alembic_version", *UNMODELLED_TABLE_PREFIXES))
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }
    finally:
        connection.close()


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()
