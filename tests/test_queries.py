"""The catalogue and product page run a small, fixed number of SQL statements (no N+1)."""

from datetime import timedelta

import pytest

MAX_STATEMENTS = 6


def _fill(make, today, count, start=0):
    district = make.district()
    cooperatives = [make.cooperative(district=district) for _ in range(5)]
    for n in range(start, start + count):
        make.product(
            f"Khóm {n:03d}",
            cooperatives[n % 5],
            pictures=2,
            rating=("148", 30, 20, 25, today - timedelta(days=n + 1)),
        )


def _statements(client, count_queries, url):
    client.get(url)  # warm: the day's first request also clears expired ratings
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("url", ["/products", "/products?q=khom&stars=3&sort=price_asc"])
def test_catalogue_statements_do_not_grow_with_products(client, make, today, count_queries, url):
    _fill(make, today, 5)
    few = _statements(client, count_queries, url)
    _fill(make, today, 45, start=5)
    many = _statements(client, count_queries, url)
    assert few == many
    assert many <= MAX_STATEMENTS


def test_product_page_statements_do_not_grow(client, make, today, count_queries):
    _fill(make, today, 5)
    few = _statements(client, count_queries, "/products/khom-000")
    _fill(make, today, 45, start=5)
    many = _statements(client, count_queries, "/products/khom-000")
    assert few == many <= MAX_STATEMENTS


def test_catalogue_statements_for_a_logged_in_buyer(client, make, today, count_queries):
    from tests.conftest import TEST_PASSWORD

    make.user(email="mai@example.vn")
    client.post("/login", data={"email": "mai@example.vn", "password": TEST_PASSWORD})
    _fill(make, today, 30)
    assert _statements(client, count_queries, "/products") <= MAX_STATEMENTS
