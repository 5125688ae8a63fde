"""English content: product name and description, cooperative story, fair name and
description, listing meeting point, district and commune names; products re-indexed

Revision ID: 0559407459b3
Revises: b7d41e9a2c35
Create Date: 2026-12-01 20:00:00

The new columns are empty ("" = no English yet: the page shows the Vietnamese, marked). The
places are fixed data (core/places.py), so their English names are filled here; a database
seeded before gets them without seeding again. Every product's search_text is recomputed in
the new composition (marketplace.products.product_search_text: both languages, folded); on
SQLite the FTS5 table follows by its update trigger, on PostgreSQL the trigram index follows.

Columns are added (and dropped) in place, never by a batch copy of the table: a copy of
products would lose the FTS5 triggers.
"""
import unicodedata
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0559407459b3'
down_revision = 'b7d41e9a2c35'
branch_labels = None
depends_on = None

COLUMNS = [
    ('products', 'name_en', sa.String(length=160)),
    ('products', 'description_en', sa.Text()),
    ('cooperatives', 'story_en', sa.Text()),
    ('fairs', 'name_en', sa.String(length=200)),
    ('fairs', 'description_en', sa.Text()),
    ('listings', 'meeting_point_en', sa.String(length=255)),
    ('districts', 'name_en', sa.String(length=80)),
    ('communes', 'name_en', sa.String(length=80)),
]

# The places as seeded (core/places.py at this revision), frozen here.
DISTRICTS_EN = {
    'TP Vị Thanh': 'Vị Thanh City',
    'TP Ngã Bảy': 'Ngã Bảy City',
    'TX Long Mỹ': 'Long Mỹ Town',
    'Huyện Châu Thành': 'Châu Thành District',
    'Huyện Châu Thành A': 'Châu Thành A District',
    'Huyện Phụng Hiệp': 'Phụng Hiệp District',
    'Huyện Vị Thủy': 'Vị Thủy District',
    'Huyện Long Mỹ': 'Long Mỹ District',
}
PREFIXES_EN = [('Xã ', '{} Commune'), ('Phường ', '{} Ward'), ('Thị trấn ', '{} Township')]

# marketplace.labels.GROUP_NAMES at this revision, frozen here.
GROUP_NAMES = {
    'food': 'Thực phẩm',
    'beverage': 'Đồ uống',
    'herbal': 'Thảo dược',
    'handicraft': 'Thủ công mỹ nghệ',
    'ornamental': 'Sinh vật cảnh',
    'tourism': 'Du lịch cộng đồng',
}


def _fold(text):
    """core.text.fold at this revision."""
    decomposed = unicodedata.normalize('NFD', text or '')
    bare = ''.join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace('đ', 'd').replace('Đ', 'D')
    return re.sub(r'\s+', ' ', bare.casefold()).strip()


def _commune_en(name):
    if name == 'Phường V':
        return 'Ward V'
    for prefix, english in PREFIXES_EN:
        if name.startswith(prefix):
            return english.format(name[len(prefix):])
    return ''


def upgrade():
    for table, name, kind in COLUMNS:
        op.add_column(table, sa.Column(name, kind, nullable=False, server_default=''))

    bind = op.get_bind()
    name_places(bind)
    reindex(bind)


def name_places(bind):
    """The seeded places' English names, where none is written yet."""
    for vietnamese, english in DISTRICTS_EN.items():
        bind.execute(sa.text("UPDATE districts SET name_en = :en WHERE name = :vi AND name_en = ''"),
                     {'en': english, 'vi': vietnamese})
    for commune_id, name in bind.execute(
            sa.text("SELECT id, name FROM communes WHERE name_en = ''")).all():
        if english := _commune_en(name):
            bind.execute(sa.text("UPDATE communes SET name_en = :en WHERE id = :id"),
                         {'en': english, 'id': commune_id})


def reindex(bind):
    """Every product's search_text, in marketplace.products.product_search_text's composition
    (tests/test_english_content.py holds them equal)."""
    rows = bind.execute(sa.text(
        "SELECT p.id, p.name, p.name_en, p.\"group\", c.name, d.name, d.name_en, m.name, m.name_en, "
        "p.certifications, "
        "p.description, p.description_en FROM products p "
        "LEFT JOIN cooperatives c ON c.id = p.cooperative_id "
        "LEFT JOIN districts d ON d.id = p.district_id "
        "LEFT JOIN communes m ON m.id = p.commune_id"
    )).all()
    for (product_id, name, name_en, group, cooperative, district, district_en, commune,
         commune_en, certifications, description, description_en) in rows:
        parts = [name, name_en, GROUP_NAMES.get(group, ''), cooperative, district, district_en,
                 commune, commune_en, certifications, description, description_en]
        text = _fold(' '.join(unicodedata.normalize('NFC', p) for p in parts if p))
        bind.execute(sa.text("UPDATE products SET search_text = :text WHERE id = :id"),
                     {'text': text, 'id': product_id})


def downgrade():
    # In place (SQLite 3.35+ drops a column itself): the products' FTS5 triggers stay.
    for table, name, _kind in reversed(COLUMNS):
        op.drop_column(table, name)
