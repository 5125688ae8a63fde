"""Every page fits a 360 × 780 phone, as each role (issue 15).

On every GET page of the url map that answers the role with a whole HTML page
(tests/browser/walk.py), at 360 × 780 px:

1. nothing widens the page: document.documentElement.scrollWidth <= 360 (wide tables and the
   fair plan scroll inside their own box);
2. a primary action that is shown is at least 44 × 44 px: PRIMARY below;
3. every other button, menu summary, select and field, and every link that is not a link in
   running text (a link shown as a block, or one in a nav or the header), is at least
   24 × 24 px (WCAG 2.2, 2.5.8);

and the first product card of a search (/products?q=khom) starts on the first screen (its top
above 780 px). Every failure of a role is collected and reported at once.
"""

import pytest

from tests.browser.walk import ROLES, browsing_as, pages_for, world, world_server  # noqa: F401

PHONE = {"width": 360, "height": 780}

# The primary actions: the site's buttons (.button), the submit buttons of forms in the page's
# content (a submit drawn as a text link, .link-button, is a secondary action), the header's
# search button and the cart link.
PRIMARY = (
    "main .button, main button[type=submit]:not(.link-button), main input[type=submit], "
    ".header-search button, #cart-link"
)
# Every other target; links in running text are exempt (WCAG 2.5.8's inline exception).
OTHER = (
    "a[href], button, summary, select, textarea, "
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
)

MEASURE = """([primary, other]) => {
  const shown = e => {
    if (!e.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})) return false;
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const inText = a => a.matches("a") && getComputedStyle(a).display === "inline"
    && !a.closest("nav, header, .pagination");
  const named = e => {
    const text = (e.getAttribute("aria-label") || e.innerText || e.value || e.id || "")
      .replace(/\\s+/g, " ").trim().slice(0, 40);
    return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} “${text}”`;
  };
  const size = e => {
    const box = e.getBoundingClientRect();
    return `${Math.round(box.width)} × ${Math.round(box.height)} px`;
  };
  const under = (selector, least, skip) => [...document.querySelectorAll(selector)]
    .filter(e => shown(e) && !(skip && skip(e)))
    .filter(e => {
      const box = e.getBoundingClientRect();
      return box.width < least - 0.5 || box.height < least - 0.5;
    })
    .map(e => `${named(e)} ${size(e)}`);
  const primaries = new Set(document.querySelectorAll(primary));
  // What reaches past the screen's right edge: outside the scroll boxes first (inside them,
  // being wider is their purpose), else anything (an absolute element escaping its box).
  const past = [...document.querySelectorAll("body *")]
    .filter(e => shown(e) && e.getBoundingClientRect().right > innerWidth + 0.5);
  const outside = past.filter(e => !e.parentElement.closest(".table-scroll"));
  const widest = (outside.length ? outside : past)
    .slice(0, 3)
    .map(e => `${named(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
  return {
    width: document.documentElement.scrollWidth,
    widest,
    small: under(primary, 44),
    tiny: under(other, 24, e => primaries.has(e) || inText(e)),
  };
}"""

FIRST_CARD = """() => {
  const card = document.querySelector("#results .product-card");
  return card ? card.getBoundingClientRect().top : null;
}"""


def phone_problems(page) -> list[str]:
    found = page.evaluate(MEASURE, [PRIMARY, OTHER])
    problems = []
    if found["width"] > PHONE["width"]:
        widest = "; ".join(found["widest"])
        problems.append(f"the page is {found['width']} px wide, wider than 360: {widest}")
    problems += [f"primary action under 44 × 44: {item}" for item in found["small"]]
    problems += [f"target under 24 × 24: {item}" for item in found["tiny"]]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone(app, world, world_server, browser, role):  # noqa: F811
    failures = []
    visited = 0
    with browsing_as(browser, world_server, world, role, PHONE) as (context, page):
        for path in pages_for(context, world_server, app, world):
            page.goto(f"{world_server}{path}")
            visited += 1
            failures += [f"{path}: {problem}" for problem in phone_problems(page)]
        page.goto(f"{world_server}/products?q=khom")
        top = page.evaluate(FIRST_CARD)
        if top is None:
            failures.append("/products?q=khom: no product card")
        elif top >= PHONE["height"]:
            failures.append(f"/products?q=khom: the first product card starts at {top:.0f} px")
    assert visited >= 15, f"only {visited} pages were walked as {role}"
    assert not failures, f"{len(failures)} problems on {visited} pages as {role}:\n" + "\n".join(
        failures
    )


def test_an_areas_menu_is_one_row_that_shows_the_current_page(live_server, page):
    """On a phone the dashboard's ten tabs are one row that scrolls sideways, not four rows
    above every page, and the tab of the page one is on is brought into view."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/login?next=/dashboard/trainings")
    page.fill("#email", "htx.kynhu@ocop.demo")
    page.fill("#password", "demo1234")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dashboard/trainings")
    nav = page.locator(".dash-nav")
    tab = nav.locator("[aria-current=page]")
    nav_box, tab_box = nav.bounding_box(), tab.bounding_box()
    assert nav_box["height"] < 60, f"the menu is {nav_box['height']:.0f} px tall"
    assert nav.evaluate("n => n.scrollWidth > n.clientWidth"), "the tabs fit: nothing to test"
    assert tab_box["x"] >= 0 and tab_box["x"] + tab_box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
