"""What the areas add to core's pages and commands. Core imports no area: when the app is made,
each area's init_app registers its parts here (for that app), and core asks for them.

- account parts: what the account page (/account) shows of an area, in two places: "facts"
  (rows of the account's card) and "sections" (after the card);
- sitemap entries: the addresses an area lists in /sitemap.xml;
- demo seeders: what `flask seed-demo` loads, in the order they were added (an area names the
  seeders it needs before it; adding it before them is an error);
- the cooperative sign-up: the kinds of cooperative, who makes the cooperative of an
  account registered as one, and where such an account lands after logging in (marketplace).

Signals need no registry here: an area connects to Flask-Login's user_logged_in itself.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app

ACCOUNT_SLOTS = ("facts", "sections")


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    seed: Callable[[], None]
    # True when the site already has this area's data (`flask seed-demo --if-empty`).
    seeded: Callable[[], bool] | None = None


@dataclass(frozen=True)
class CooperativeSignup:
    kinds: dict  # kind -> its name (a msgid, translated when shown)
    create: Callable  # (email=, name=, password=, phone=, cooperative_name=, kind=, district_id=) -> User
    home: str | None = None  # the endpoint a cooperative's account lands on after logging in


@dataclass
class Hooks:
    account_parts: dict = field(default_factory=lambda: {slot: [] for slot in ACCOUNT_SLOTS})
    sitemap_entries: list = field(default_factory=list)
    demo_seeders: list = field(default_factory=list)
    cooperative_signup: CooperativeSignup | None = None


def _hooks(app: Flask | None = None) -> Hooks:
    app = app if app is not None else current_app
    return app.extensions.setdefault("core.hooks", Hooks())


# --- what areas call from their init_app ------------------------------------------------------


def add_account_part(app: Flask, slot: str, render: Callable) -> None:
    """render(user) -> the area's part of the account page as Markup (a rendered template), or
    "" for none."""
    if slot not in ACCOUNT_SLOTS:
        raise ValueError(f"No account page slot {slot!r}; there are {ACCOUNT_SLOTS}.")
    _hooks(app).account_parts[slot].append(render)


def add_sitemap_entries(app: Flask, entries: Callable[[], Iterable[str]]) -> None:
    """entries() -> the area's absolute URLs for /sitemap.xml."""
    _hooks(app).sitemap_entries.append(entries)


def add_demo_seeder(
    app: Flask,
    name: str,
    seed: Callable[[], None],
    *,
    after: tuple[str, ...] = (),
    seeded: Callable[[], bool] | None = None,
) -> None:
    known = {seeder.name for seeder in _hooks(app).demo_seeders}
    missing = [needed for needed in after if needed not in known]
    if missing:
        raise RuntimeError(f"The {name} demo needs {missing} seeded first: register those first.")
    _hooks(app).demo_seeders.append(DemoSeeder(name=name, seed=seed, seeded=seeded))


def set_cooperative_signup(
    app: Flask, *, kinds: dict, create: Callable, home: str | None = None
) -> None:
    _hooks(app).cooperative_signup = CooperativeSignup(kinds=kinds, create=create, home=home)


# --- what core asks -----------------------------------------------------------------------------


def account_parts(user) -> dict[str, list]:
    """{slot: the areas' parts for this user}, in the order the areas were registered."""
    return {
        slot: [part for render in renders if (part := render(user))]
        for slot, renders in _hooks().account_parts.items()
    }


def sitemap_urls() -> list[str]:
    return [url for entries in _hooks().sitemap_entries for url in entries()]


def demo_seeders() -> list[DemoSeeder]:
    return list(_hooks().demo_seeders)


def cooperative_signup() -> CooperativeSignup | None:
    return _hooks().cooperative_signup
