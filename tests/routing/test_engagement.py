from routing.engagement import engagement_score


def score(**kw):
    base = {"prior_chats": 0, "pages_viewed": None, "time_on_site": None,
            "days_since_last_seen": None, "is_returning": False}  # fmt: skip
    return engagement_score(**{**base, **kw})


def test_a_silent_first_visit_scores_zero():
    assert score() == 0


def test_each_part_as_documented():
    assert score(pages_viewed=4, time_on_site=120) == 12 + 4
    assert score(prior_chats=2) == 24
    assert score(days_since_last_seen=3) == 15
    assert score(days_since_last_seen=20) == 8
    assert score(days_since_last_seen=90) == 0
    assert score(is_returning=True) == 10


def test_parts_are_capped_and_the_total_is_at_most_100():
    assert score(prior_chats=50) == 36
    assert score(pages_viewed=1000) == 24
    assert score(time_on_site=10**6) == 15
    everything = score(prior_chats=9, pages_viewed=99, time_on_site=9999,
                       days_since_last_seen=0, is_returning=True)  # fmt: skip
    assert everything == 100


def test_bad_values_do_not_go_negative():
    assert score(prior_chats=-3, pages_viewed=-1, time_on_site=-50) == 0
