"""The layers of docs/architecture.md, read from the code's imports (with ast, so imports inside
functions count too): core imports no area; payments only core; marketplace core and
payments; tourism and fairs those and the catalogue marketplace shares (its models and
cooperatives modules), never each other; programme, the office, the models and rules of the
areas it oversees, never their views, forms or demo data; nothing imports programme or app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "payments", "marketplace", "tourism", "fairs", "programme")
FIRST_PARTY = {*PACKAGES, "app", "tests"}
AREAS = ("marketplace", "tourism", "fairs", "programme")

# What marketplace shares with the areas built on it: the catalogue (Cooperative, Product and
# the rest of its models) and who runs a cooperative and may use its pages (access_for and the
# guards of those pages).
CATALOGUE = ("marketplace.models", "marketplace.cooperatives")
# An area's own business, never imported by another area: its pages, forms and demo data.
INTERNAL_PARTS = ("views", "forms", "demo", "demo_data")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path):
    """(line, imported module) for every import in the file, `from a import b` as a.b when b is
    a module."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], base]).strip(".")
            for alias in node.names:
                dotted = f"{base}.{alias.name}"
                yield node.lineno, dotted if _is_module(dotted) else base


def sources(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


def is_internal(module: str) -> bool:
    parts = module.split(".")[1:]
    return not parts or any(
        part in INTERNAL_PARTS or part.endswith(("_views", "_forms")) for part in parts
    )


def refusal(importer: str, imported: str) -> str | None:
    """Why `importer` may not import `imported`, None when it may."""
    own, other = importer.split(".")[0], imported.split(".")[0]
    if other not in FIRST_PARTY or other == own:
        return None
    if other in ("app", "tests"):
        return f"nothing imports {other}"
    if own == "core":
        return "core imports no area (areas register what they add in core.hooks)"
    if other == "core":
        return None
    if own == "payments":
        return "payments uses core only"
    if other == "payments":
        return None
    if other == "programme":
        return "no area imports programme, the office"
    if own == "marketplace":
        return "marketplace is the area the others build on: it imports none of them"
    if own in ("tourism", "fairs"):
        if imported in CATALOGUE:
            return None
        return f"{own} may use of marketplace only the catalogue {CATALOGUE}, never other areas"
    if own == "programme" and not is_internal(imported):
        return None
    return f"{own} may use the areas' models and rules, never their views, forms or demo data"


def violations(packages) -> list[str]:
    found = []
    for path in sources(*packages):
        importer = module_name(path)
        for line, imported in imports_of(path):
            if (reason := refusal(importer, imported)) is not None:
                where = path.relative_to(ROOT)
                found.append(f"{where}:{line} imports {imported}: {reason}")
    return found


def test_core_imports_no_area():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sources("core")
        for line, imported in imports_of(path)
        if imported.split(".")[0] in FIRST_PARTY - {"core"}
    ]
    assert not found, "core/ is the ground floor:\n" + "\n".join(found)


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_go_one_way(package):
    found = violations([package])
    assert not found, "\n".join(found)


FORBIDDEN = [
    ("core.views", "marketplace.cart"),
    ("core.seo", "fairs.models"),
    ("payments.transfers", "marketplace.models"),
    ("marketplace.demo", "fairs.booths"),
    ("tourism.host_views", "marketplace.orders"),
    ("fairs.views", "tourism.models"),
    ("tourism.views", "fairs.models"),
    ("marketplace.orders", "programme.moderation"),
    ("programme.views", "marketplace.views.dashboard"),
    ("programme.forms", "tourism.host_forms"),
    ("programme.plan", "fairs.demo"),
    ("core.cli", "app"),
]
ALLOWED = [
    ("fairs.booths", "marketplace.models"),
    ("tourism.host_views", "marketplace.cooperatives"),
    ("tourism.views", "payments.vietqr"),
    ("programme.plan", "tourism.listings"),
    ("marketplace.orders", "core.db"),
    ("marketplace.views.dashboard", "marketplace.orders"),
]


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_the_rules_refuse_what_the_doc_forbids(importer, imported):
    assert refusal(importer, imported) is not None


@pytest.mark.parametrize(("importer", "imported"), ALLOWED)
def test_the_rules_allow_what_the_doc_allows(importer, imported):
    assert refusal(importer, imported) is None


def test_from_imports_name_the_module_imported():
    path = ROOT / "marketplace" / "views" / "dashboard.py"
    imported = {module for _line, module in imports_of(path)}
    assert {"marketplace.orders", "marketplace.products", "core.clock"} <= imported
    assert "marketplace" not in imported
