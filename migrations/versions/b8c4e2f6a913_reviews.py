"""Reviews: products' (one per order line) and listings' (one per booking), their cached
counts and stars on products and listings; when the buyer said an order was received

Revision ID: b8c4e2f6a913
Revises: d5e1f3a8b924
Create Date: 2026-12-01 23:45:11.571194

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c4e2f6a913'
down_revision = 'd5e1f3a8b924'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('listing_reviews',
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=60), nullable=False),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('photo_paths', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_listing_reviews_stars_1_to_5')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_listing_reviews_booking_id_bookings')),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_reviews_listing_id_listings')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_listing_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_listing_reviews')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_listing_reviews_booking_id'))
    )
    with op.batch_alter_table('listing_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_listing_reviews_listing', ['listing_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_reviews_user_id'), ['user_id'], unique=False)

    op.create_table('product_reviews',
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=60), nullable=False),
    sa.Column('stars', sa.SmallInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('photo_paths', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('replied_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('stars BETWEEN 1 AND 5', name=op.f('ck_product_reviews_stars_1_to_5')),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_product_reviews_order_line_id_order_lines')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_reviews_product_id_products')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_product_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_reviews')),
    sa.UniqueConstraint('order_line_id', name=op.f('uq_product_reviews_order_line_id'))
    )
    with op.batch_alter_table('product_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_product_reviews_product', ['product_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_product_reviews_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('review_stars_total', sa.Integer(), server_default='0', nullable=False))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('received_at', sa.DateTime(), nullable=True))

    # In place, never by a batch copy of products: a copy would lose the FTS5 triggers.
    op.add_column('products', sa.Column('review_count', sa.Integer(), server_default='0', nullable=False))
    op.add_column('products', sa.Column('review_stars_total', sa.Integer(), server_default='0', nullable=False))




def downgrade():

    # In place (SQLite 3.35+ drops a column itself): the products' FTS5 triggers stay.
    op.drop_column('products', 'review_stars_total')
    op.drop_column('products', 'review_count')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('received_at')

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('review_stars_total')
        batch_op.drop_column('review_count')

    with op.batch_alter_table('product_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_reviews_user_id'))
        batch_op.drop_index('ix_product_reviews_product')

    op.drop_table('product_reviews')
    with op.batch_alter_table('listing_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_reviews_user_id'))
        batch_op.drop_index('ix_listing_reviews_listing')

    op.drop_table('listing_reviews')

