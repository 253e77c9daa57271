"""One wording of a condition leaf (issue 11 item 6): the console's condition table
and the engine's trace lines both use conditions.describe_explained_leaf."""

from routing import conditions
from routing.engine import describe_leaf
from routing.templatetags.console import explanation_rows

TREE = {
    "all": [
        {"field": "company.employees", "op": "between", "value": [10, 5000]},
        {"not": {"field": "attribution.channel", "op": "in", "value": ["G2", "LinkedIn Ads"]}},
        {"field": "lead.country", "op": "exists"},
    ]
}
CONTEXT = {"company": {"employees": 40}, "attribution": {"channel": "G2"}}


def _leaves(node):
    if "group" not in node:
        return [node]
    return [leaf for child in node.get("children", []) for leaf in _leaves(child)]


def test_the_table_and_the_trace_word_each_leaf_the_same():
    explained = conditions.explain(TREE, CONTEXT).to_dict()
    table = [row["text"] for row in explanation_rows(explained) if not row["group"]]
    trace = [describe_leaf(leaf) for leaf in _leaves(explained)]
    assert table == [
        "Company employees is between 10 and 5000",
        "Attribution channel is one of G2, LinkedIn Ads",
        "Lead country is known",
    ]
    assert [line.rsplit(" (", 1)[0] for line in trace] == table


def test_a_stale_leaf_is_shown_by_field_and_operator_in_both():
    stale = {"field": "company.employees", "op": "bigger", "value": 3, "actual": 1, "result": False}
    assert conditions.describe_explained_leaf(stale) == "company.employees bigger"
    assert explanation_rows(stale)[0]["text"] == "company.employees bigger"
    assert describe_leaf(stale) == "company.employees bigger (saw 1)"
