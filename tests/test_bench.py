"""make bench's plans, verdicts and results: each can be checked without a server or wrk."""

from collections import Counter

import pytest

from bench import mix
from bench.run import Figure, Side, judge, results_text

ROOM = mix.Newsroom(
    claims=[11, 12, 13],
    articles=[21, 22],
    search_words=["minister", "harvest"],
    list_cursors=["c1", "c2"],
    evidence_claims=list(range(300, 310)),
    sources=list(range(400, 410)),
    tag_passages=[[21, "The minister said so."]],
    publish=[[51 + number, 3] for number in range(40)],
    rating=1,
    today="2026-01-02",
)
THREADS = 4


def whole_run(length=200, room=ROOM, writes=True) -> list[mix.Planned]:
    return [
        planned
        for thread in range(THREADS)
        for planned in mix.newsroom_plan(
            room, thread=thread, threads=THREADS, length=length, phase="m", writes=writes
        )
    ]


def test_no_two_reads_in_a_run_ask_for_the_same_url_even_from_different_threads():
    reads = [planned.path for planned in whole_run(length=330) if not planned.is_write]
    assert len(reads) == 1200
    assert len(set(reads)) == len(reads)


def test_the_warm_up_and_the_measured_run_never_share_a_url():
    def reads(phase):
        plan = mix.newsroom_plan(ROOM, thread=0, threads=1, length=50, phase=phase)
        return {planned.path for planned in plan if not planned.is_write}

    assert not reads("warm") & reads("mix")


def test_a_page_drawn_afresh_is_a_new_url_each_time_and_a_kept_one_is_replayed():
    fresh = [
        planned.path
        for thread in range(THREADS)
        for planned in mix.single_plan(
            "/claims/?status=draft",
            thread=thread,
            threads=THREADS,
            length=100,
            phase="m",
            fresh=True,
        )
    ]
    assert len(set(fresh)) == len(fresh) == 400
    assert fresh[0] == "/claims/?status=draft&n=m.0"
    kept = mix.single_plan(
        "/claims/", thread=0, threads=THREADS, length=100, phase="m", fresh=False
    )
    assert [planned.path for planned in kept] == ["/claims/"]


def test_the_mix_writes_once_per_ten_reads_in_the_stated_proportions():
    kinds = Counter(planned.kind for planned in whole_run(length=330))
    assert kinds == {
        "list": 480,
        "claim": 240,
        "article": 240,
        "search": 240,
        "evidence": 40,
        "tag": 40,
        "publish": 40,
    }


def test_writes_never_touch_the_same_row_twice_and_are_sent_by_the_role_that_may():
    writes = [planned for planned in whole_run(length=330) if planned.is_write]
    evidence = [(w.path, w.body) for w in writes if w.kind == "evidence"]
    publishes = [w.path for w in writes if w.kind == "publish"]
    tags = [w.body for w in writes if w.kind == "tag"]
    assert len(set(evidence)) == len(evidence)
    assert sorted(publishes) == sorted(f"/claims/{51 + n}/publish/" for n in range(40))
    assert len(set(tags)) == len(tags)
    assert {w.user for w in writes if w.kind == "publish"} == {mix.REVIEWER}
    assert {w.user for w in writes if w.kind != "publish"} == {mix.RESEARCHER}
    # Both roles read.
    assert {w.user for w in whole_run() if not w.is_write} == {mix.RESEARCHER, mix.REVIEWER}


def test_when_the_claims_to_publish_run_out_the_mix_adds_evidence_instead_never_twice():
    small = mix.Newsroom(**{**ROOM.__dict__, "publish": [[51, 3]]})
    writes = [planned for planned in whole_run(length=330, room=small) if planned.is_write]
    assert [w.path for w in writes if w.kind == "publish"] == ["/claims/51/publish/"]
    evidence = [(w.path, w.body) for w in writes if w.kind == "evidence"]
    assert len(evidence) == 79
    assert len(set(evidence)) == len(evidence)


def test_a_plan_longer_than_the_prepared_rows_allow_is_refused_before_the_run():
    small = mix.Newsroom(**{**ROOM.__dict__, "evidence_claims": [31], "sources": [41]})
    with pytest.raises(ValueError, match="prepare more draft claims"):
        whole_run(length=330, room=small)


def test_the_mix_reads_lists_with_filters_and_later_pages():
    lists = [planned.path for planned in whole_run() if planned.kind == "list"]
    assert any("cursor=" in path for path in lists)
    assert any("status=published" in path for path in lists)
    assert any("sort=most_evidence" in path for path in lists)
    assert {path.split("?")[0] for path in lists} == {"/claims/"}


def test_a_warm_up_can_be_reads_only():
    assert not [planned for planned in whole_run(writes=False) if planned.is_write]


def test_plans_are_long_enough_for_the_floors_rate():
    # 3,000 requests a second for 10 s over 4 threads, with room to spare.
    assert mix.plan_length(3000, 10, 4) >= 7500


def answer(kind="list", method="GET", status=200, ms=10.0, path="/claims/?n=1", location=""):
    return mix.Answer(kind, method, status, ms * 1000, path, location)


def test_answers_are_read_back_from_the_players_log_lines():
    line = "publish\tPOST\t302\t12500\t/claims/5/publish/\t/claims/5/\n"
    assert mix.Answer.parse(line) == answer(
        "publish", "POST", 302, 12.5, "/claims/5/publish/", "/claims/5/"
    )


@pytest.mark.parametrize(
    ("found", "failed"),
    [
        (answer(), False),
        (answer(status=302, location="/accounts/login/?next=/claims/"), True),
        (answer(status=500), True),
        (answer("evidence", "POST", 302, location="/claims/3/#evidence-9"), False),
        (answer("evidence", "POST", 409), True),
        (answer("tag", "POST", 302, location="/accounts/login/"), True),
    ],
)
def test_a_read_must_answer_a_page_and_a_write_a_redirect_elsewhere_than_sign_in(found, failed):
    assert found.failed is failed


def test_a_run_is_summed_up_per_kind_with_its_percentiles():
    answers = [answer(ms=ms, path=f"/claims/?n={ms}") for ms in range(1, 101)]
    answers.append(answer("publish", "POST", 302, 50.0, "/claims/5/publish/", "/claims/5/"))
    run = mix.summarise(answers, 10.0, unique_reads=True)
    assert run.problems == []
    assert (run.kinds["list"].p50_ms, run.kinds["list"].p99_ms) == (50.5, 99.0)
    assert run.kinds["list"].requests_per_second == 10.0
    assert run.total.count == 101


def test_a_run_that_repeated_a_url_or_failed_a_write_says_so():
    answers = [answer(), answer(), answer("evidence", "POST", 400, path="/claims/3/evidence/")]
    assert mix.summarise(answers, 1.0, unique_reads=True).problems == [
        "1 URLs were asked for more than once",
        "1 of 1 evidence requests failed",
    ]


def figures(list_rate=200.0, claim_rate=150.0, search_rate=300.0, deep_p50=30.0, stock_rate=5.0):
    return [
        Figure("Floor", "/health/", 3000.0, 1.0, 2.0, kind="floor"),
        Figure("Claims list", "/claims/", list_rate, 25.0, 40.0, kind="list", fresh=True),
        Figure("Page 400", "/claims/?cursor=x", 180.0, deep_p50, 50.0, kind="deep", fresh=True),
        Figure("Claim page", "/claims/1/", claim_rate, 30.0, 60.0, kind="claim", fresh=True),
        Figure("Search", "/search/?q=a", search_rate, 10.0, 20.0, kind="search", fresh=True),
        Figure("Stock admin", "/admin/", stock_rate, 400.0, 700.0, kind="stock"),
    ]


def newsroom(rate=500.0, list_p99=20.0, problems=()):
    kinds = {
        "list": mix.KindFigures("list", 100, 0, 10.0, list_p99, rate),
        "publish": mix.KindFigures("publish", 10, 0, 10.0, 25.0, rate / 10),
    }
    total = mix.KindFigures("all", 110, 0, 10.0, 25.0, rate)
    return mix.Run(10.0, kinds, total, problems=list(problems))


def missed(run=None, **changes) -> list[str]:
    return [text for ok, text in judge(figures(**changes), run or newsroom()) if not ok]


def test_a_run_within_every_budget_passes():
    assert missed() == []


def test_each_budget_can_be_missed():
    assert missed(list_rate=150.0) == ["Claims list: 0.050× the floor's throughput (≥ 0.06)"]
    assert missed(claim_rate=90.0) == ["Claim page: 0.030× the floor's throughput (≥ 0.04)"]
    assert missed(search_rate=200.0) == ["Search: 0.067× the floor's throughput (≥ 0.08)"]
    assert missed(deep_p50=40.0) == ["Page 400: p50 1.60× page 1's (≤ 1.5×)"]
    assert missed(newsroom(rate=400.0)) == ["Newsroom mix: 0.133× the floor's throughput (≥ 0.15)"]
    assert missed(newsroom(list_p99=30.0)) == ["Newsroom mix, list: p99 15.0× the floor's (< 15×)"]
    assert missed(stock_rate=20.0) == [
        "Page 400: 9.0× the stock admin's throughput (≥ 10×)",
        "Claim page: 7.5× the stock admin's throughput (≥ 10×)",
    ]


def test_a_run_whose_requests_failed_or_repeated_is_never_a_pass():
    assert missed(newsroom(problems=["3 of 40 publish requests failed"])) == [
        "Newsroom mix: 3 of 40 publish requests failed"
    ]
    broken = figures()
    broken[1].problems = ["2 URLs were asked for more than once"]
    assert [text for ok, text in judge(broken, newsroom()) if not ok] == [
        "Claims list: 2 URLs were asked for more than once"
    ]


def test_the_results_show_both_sides_and_say_when_the_baseline_could_not_run():
    ours = Side("this checkout", figures=figures(), mix_run=newsroom())
    theirs = Side("baseline main (abc1234)", figures=figures(list_rate=100.0), mix_run=newsroom())
    text = results_text(ours, theirs, judge(ours.figures, ours.mix_run), ["- Date: today"])
    assert "| Claims list | 200 | 25.0 | 40.0 | 0.067 | 20.0 | 100 | 0.033 |" in text
    assert "**baseline main (abc1234)**: 110 requests in 10.0 s" in text
    assert "| publish | 10 | 0 | 10.0 | 25.0 | 12.5 |" in text
    assert "- met: Newsroom mix: 0.167× the floor's throughput (≥ 0.15)" in text

    gone = Side("baseline main", unavailable="the server did not answer /health/")
    text = results_text(ours, gone, [], [])
    assert "the baseline is baseline main: **not measured** (the server did not" in text
    assert "| Claims list | 200 | 25.0 | 40.0 | 0.067 | 20.0 | – | – |" in text


def test_the_mix_is_held_to_the_floor_measured_just_before_it():
    """The machine drifts: the mix is compared with the floor measured next to it, and the
    results say what it would be against the floor of the run's start."""
    drifted = [*figures(), Figure("Floor again", "/health/", 2500.0, 1.0, 1.0, kind="mix-floor")]
    verdicts = judge(drifted, newsroom(rate=400.0))
    assert (True, "Newsroom mix: 0.160× the floor's throughput (≥ 0.15)") in verdicts
    assert (False, "Newsroom mix, list: p99 20.0× the floor's (< 15×)") in verdicts
    # The second floor is no page: it is never compared with the stock admin.
    assert not any(text.startswith("Floor again") for _, text in verdicts)
    ours = Side("this checkout", figures=drifted, mix_run=newsroom(rate=400.0))
    text = results_text(ours, Side("baseline", unavailable="none asked for"), verdicts, [])
    assert "400 req/s = 0.160× the floor's" in text
    assert "Its floor, measured just before it: 2,500 req/s (p99 1.0 ms)" in text
    assert "(3,000 req/s) the mix is 0.133×" in text
