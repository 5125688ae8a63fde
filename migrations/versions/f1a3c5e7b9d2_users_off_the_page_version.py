"""Accounts leave the page version alone: no page shows one, and a sign-up, a logout or a
language chosen renewed every kept page

Revision ID: f1a3c5e7b9d2
Revises: e6f8a0b2c4d7
Create Date: 2026-12-03 07:20:00

"""
from alembic import op

from core.page_cache import drop_version_trigger_sql, version_trigger_sql

# revision identifiers, used by Alembic.
revision = 'f1a3c5e7b9d2'
down_revision = 'e6f8a0b2c4d7'
branch_labels = None
depends_on = None


def upgrade():
    for statement in drop_version_trigger_sql(op.get_bind().dialect.name, "users"):
        op.execute(statement)


def downgrade():
    for statement in version_trigger_sql(op.get_bind().dialect.name, "users"):
        op.execute(statement)
