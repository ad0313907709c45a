"""make bench's verdicts: each budget can be met and can be missed."""

from bench.run import Figure, judge


def figures(list_rate=1500.0, list_p99=5.0, deep_p50=2.0, fresh_deep_p50=30.0, search_p99=20.0):
    return [
        Figure("Floor", "/health/", 3000.0, 1.0, 2.0, kind="floor"),
        Figure("Claims list", "/claims/", list_rate, 2.0, list_p99, kind="list"),
        Figure("Page 20000", "/claims/?cursor=x", 1500.0, deep_p50, 5.0, kind="deep"),
        Figure("Search", "/search/?q=a", 100.0, 10.0, search_p99, kind="search"),
        Figure("Claims list, afresh", "/claims/", 60.0, 25.0, 60.0, kind="list", fresh=True),
        Figure(
            "Page 20000, afresh", "/claims/", 60.0, fresh_deep_p50, 60.0, kind="deep", fresh=True
        ),
        Figure("Stock admin", "/admin/", 9.0, 400.0, 700.0, kind="stock"),
    ]


def missed(**changes) -> list[str]:
    return [text for ok, text in judge(figures(**changes)) if not ok]


def test_a_run_within_every_budget_passes():
    assert missed() == []


def test_each_budget_can_be_missed():
    assert missed(list_rate=600.0) == ["Claims list: throughput 0.20 of the floor's (budget ≥ 0.3)"]
    assert missed(list_p99=9.0) == ["Claims list: p99 4.5× the floor's (budget ≤ 4.0×)"]
    assert missed(deep_p50=4.0) == ["Page 20000: p50 2.00× page 1's (budget ≤ 1.5×)"]
    # A deep page drawn afresh is compared with page 1 drawn afresh, not with a kept one.
    assert missed(fresh_deep_p50=40.0) == ["Page 20000, afresh: p50 1.60× page 1's (budget ≤ 1.5×)"]
    assert missed(search_p99=120.0) == ["Search: p99 120.0 ms (budget ≤ 100 ms)"]


def test_kept_pages_must_beat_the_stock_admin_tenfold_and_fresh_ones_are_only_shown():
    slow_search = figures()
    slow_search[3].requests_per_second = 80.0
    assert [text for ok, text in judge(slow_search) if not ok] == [
        "Search: 8.9× the stock admin's throughput (budget ≥ 10×)"
    ]
