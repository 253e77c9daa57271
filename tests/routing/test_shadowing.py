from routing.shadowing import shadowed

BIG = {"field": "company.employees", "op": "gt", "value": 200}
G2 = {"field": "attribution.channel", "op": "in", "value": ["G2"]}
SUPPORT = {"field": "intent.type", "op": "eq", "value": "support"}


def test_a_segment_without_conditions_shadows_everything_below():
    result = shadowed([(1, "Everyone", {"all": []}), (2, "Big", BIG), (3, "Support", SUPPORT)])
    assert result == {2: "Everyone", 3: "Everyone"}


def test_a_subset_of_conditions_shadows_the_narrower_segment():
    result = shadowed([(1, "Big", BIG), (2, "Big from G2", {"all": [G2, BIG]})])
    assert result == {2: "Big"}


def test_nested_alls_are_flattened_and_order_does_not_matter():
    result = shadowed([(1, "Big+G2", {"all": [BIG, G2]}), (2, "x", {"all": [{"all": [G2]}, BIG]})])
    assert result == {2: "Big+G2"}


def test_unrelated_or_broader_segments_are_not_flagged():
    result = shadowed(
        [(1, "Big from G2", {"all": [G2, BIG]}), (2, "Big", BIG), (3, "Either", {"any": [G2, BIG]})]
    )
    assert result == {}


def test_an_any_group_is_compared_as_a_whole():
    either = {"any": [G2, BIG]}
    assert shadowed([(1, "Either", either), (2, "Either too", {"all": [either, SUPPORT]})]) == {
        2: "Either"
    }
