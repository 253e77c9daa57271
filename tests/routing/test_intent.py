"""Pure tests of intent detection (SPEC 6): type and score from the first message."""

from __future__ import annotations

import pytest

from routing.intent import detect


@pytest.mark.parametrize(
    ("message", "kind", "score"),
    [
        ("Hi, what's your pricing for 50 seats?", "buying", "high"),
        ("Can we book a demo next week?", "buying", "high"),
        ("Could you send a quote?", "buying", "high"),
        ("Is there a free trial?", "buying", "medium"),
        ("Do you have an enterprise plan?", "buying", "medium"),
        ("My login is broken and I get an error", "support", "low"),
        ("How do I reset my password?", "support", "low"),
        ("Are you hiring? I'd love to apply, here is my resume", "job_seeker", "low"),
        ("We are an agency and would like to become a reseller partner", "partnership", "medium"),
        ("Interested in a co-marketing partnership", "partnership", "medium"),
    ],
)
def test_detects_type_and_score(message, kind, score):
    result = detect(message)
    assert (result["type"], result["score"]) == (kind, score), result
    assert result["source"] == "detected"
    assert result["matched"], "the matched keywords explain the decision"


@pytest.mark.parametrize("message", ["", "Hello there!", "   ", None])
def test_nothing_recognisable_is_unknown_and_low(message):
    assert detect(message) == {
        "type": "unknown",
        "score": "low",
        "source": "detected",
        "matched": [],
    }


def test_matched_lists_the_keywords_seen():
    result = detect("Pricing and a demo please, also the cost per seat")
    assert result["type"] == "buying"
    assert set(result["matched"]) == {"pricing", "demo", "cost"}


def test_case_insensitive():
    assert detect("PRICING?")["type"] == "buying"
    assert detect("Help With my Account")["type"] == "support"


def test_keywords_match_whole_words_only():
    # "planet" is not "plan", "bugle" is not "bug", "jobs" is not "job".
    assert detect("Our planet needs a bugle")["type"] == "unknown"
    assert detect("Steve Jobs")["type"] == "unknown"


def test_multi_word_keywords():
    assert detect("Something is not working")["matched"] == ["not working"]
    assert detect("Please cancel my subscription")["matched"] == ["cancel my"]


def test_the_type_with_most_keywords_wins():
    result = detect("I found a bug and an error, also what is the price")
    assert result["type"] == "support"
    assert set(result["matched"]) == {"bug", "error"}


def test_a_tie_goes_to_buying():
    result = detect("Great job on the product, what does it cost?")
    assert result["type"] == "buying"
    assert result["matched"] == ["cost"]


@pytest.mark.parametrize(("pages", "score"), [(None, "medium"), (4, "medium"), (5, "high")])
def test_pages_viewed_raise_a_buying_score(pages, score):
    assert detect("Do you offer a trial?", pages_viewed=pages)["score"] == score


def test_pages_viewed_do_not_make_support_high():
    assert detect("I have an issue with my login", pages_viewed=50)["score"] == "low"


def test_result_types_are_from_the_catalog():
    kinds = {"buying", "partnership", "support", "job_seeker", "unknown"}
    for message in ["demo", "bug", "career", "affiliate", "hi"]:
        result = detect(message)
        assert result["type"] in kinds
        assert result["score"] in {"high", "medium", "low"}
