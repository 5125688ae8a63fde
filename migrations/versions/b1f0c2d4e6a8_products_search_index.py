"""Full-text search index of products for SQLite (FTS5, trigram tokenizer).

Revision ID: b1f0c2d4e6a8
Revises: 6babb7f97839
Create Date: 2026-11-29

The catalogue searches the folded products.search_text with LIKE '%term%'. On SQLite a
trigram FTS5 table answers the same LIKE from an index; triggers keep it in step with the
products table. PostgreSQL searches the column itself.
"""

from alembic import op

revision = "b1f0c2d4e6a8"
down_revision = "6babb7f97839"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE products_fts USING fts5("
        "search_text, content='products', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN "
        "INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN "
        "INSERT INTO products_fts(products_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_update AFTER UPDATE OF search_text ON products BEGIN "
        "INSERT INTO products_fts(products_fts, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    op.execute("INSERT INTO products_fts(products_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS products_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS products_fts")
