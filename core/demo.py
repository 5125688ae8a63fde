"""Loading the demo data (`flask seed-demo`): idempotent, every row found by a natural key."""

from datetime import date

from sqlalchemy import select

from core.extensions import db
from core.models import Commune, District, User
from core.places import HAU_GIANG
from core.text import slugify


def get_or_create(model, lookup: dict, **values):
    """The row matching lookup, created with values if missing. Returns (row, created)."""
    row = db.session.scalar(select(model).filter_by(**lookup))
    if row is not None:
        return row, False
    row = model(**lookup, **values)
    db.session.add(row)
    db.session.flush()
    return row, True


def fill_english(row, **english) -> None:
    """Give a row seeded before it had English (an older demo database) its English
    versions; English someone wrote since is kept."""
    for field, text in english.items():
        if text and not getattr(row, field):
            setattr(row, field, text)


def seed_places() -> dict[str, District]:
    districts = {}
    for name, name_en, kind, communes in HAU_GIANG:
        district, _ = get_or_create(District, {"name": name}, slug=slugify(name), kind=kind)
        fill_english(district, name_en=name_en)
        for commune, commune_en in communes:
            row, _ = get_or_create(Commune, {"district_id": district.id, "name": commune})
            fill_english(row, name_en=commune_en)
        districts[name] = district
    return districts


def seed_account(email: str, name: str, role: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role)
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
    return user


def iso(day: str) -> date:
    return date.fromisoformat(day)
