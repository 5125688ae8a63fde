"""Trigram index of products.search_text for PostgreSQL (pg_trgm).

Revision ID: c3e5a7b9d1f2
Revises: dc7c8d9bd8fa
Create Date: 2026-11-29

The catalogue searches the folded products.search_text with LIKE '%term%'. SQLite answers it
from its FTS5 trigram table (b1f0c2d4e6a8); on PostgreSQL a GIN index with pg_trgm's
operator class answers the same LIKE, which otherwise reads every product. pg_trgm ships with
PostgreSQL (contrib) and is a trusted extension; where it is not installed the search still
works, without the index, and the migration says so.
"""

from alembic import op
from sqlalchemy import text

revision = "c3e5a7b9d1f2"
down_revision = "dc7c8d9bd8fa"
branch_labels = None
depends_on = None

INDEX = "ix_products_search_trgm"


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    available = bind.scalar(
        text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
    )
    if not available:
        print("pg_trgm is not installed: product search runs without its index.")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX {INDEX} ON products USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
