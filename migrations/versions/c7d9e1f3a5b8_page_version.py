"""The page version: one counter that a trigger on every table a page shows bumps in the
change's own transaction, so the cached public pages (core.page_cache) are never stale

Revision ID: c7d9e1f3a5b8
Revises: b8c4e2f6a913
Create Date: 2026-12-02 14:05:00

"""
from alembic import op
import sqlalchemy as sa

from core.page_cache import (
    BUMP_FUNCTION_SQL,
    drop_version_trigger_sql,
    fresh_version,
    version_trigger_sql,
)

# revision identifiers, used by Alembic.
revision = 'c7d9e1f3a5b8'
down_revision = 'b8c4e2f6a913'
branch_labels = None
depends_on = None

# The tables of this revision that a page shows (all but core.page_cache.TABLES_NOT_ON_PAGES).
TABLES = (
    "booth_request_products", "booth_requests", "booths", "bookings", "communes",
    "cooperatives", "districts", "fair_waitlist", "fairs", "listing_images",
    "listing_products", "listing_reviews", "listings", "ocop_ratings", "product_images",
    "product_reviews", "products", "slots", "training_registrations", "trainings", "users",
)


def upgrade():
    op.create_table(
        "page_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_page_version_one_row"),
        sa.PrimaryKeyConstraint("id", name="pk_page_version"),
    )
    op.execute(f"INSERT INTO page_version (id, version) VALUES (1, {fresh_version()})")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(BUMP_FUNCTION_SQL)
    for table in TABLES:
        for statement in version_trigger_sql(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        for statement in drop_version_trigger_sql(dialect, table):
            op.execute(statement)
    op.drop_table("page_version")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS bump_page_version()")
