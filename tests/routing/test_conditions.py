"""The condition language (SPEC sections 4 and 8a)."""

import enum
import json
import math
import pickle
from collections import OrderedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import catalog
from routing.conditions import (
    MAX_DEPTH,
    MAX_LEAVES,
    NEGATIONS,
    OPERATORS,
    ConditionError,
    GroupExplanation,
    LeafExplanation,
    compile,
    describe,
    explain,
    fields,
    leaves,
    normalize,
    validate,
)

MISSING = object()  # "the field is not in the context at all"

# One path per way of resolving a field: the fused "namespace.name" fast path,
# a plain walk of three parts, and an open prefix whose name contains a dot.
PATHS = ("company.f", "crm.fields.f", "custom.a.b")


def leaf(field, op, value=MISSING):
    node = {"field": field, "op": op}
    if value is not MISSING:
        node["value"] = value
    return node


def put(path, value):
    """A context holding ``value`` at ``path`` (nothing at all for MISSING)."""
    if value is MISSING:
        return {}
    ctx = {}
    d = ctx
    parts = path.split(".")
    for p in parts[:-1]:
        d = d.setdefault(p, {})
    d[parts[-1]] = value
    return ctx


def evaluate(tree, ctx):
    """compile() and explain() must agree; return their common answer."""
    got = compile(tree)(ctx)
    assert isinstance(got, bool)
    assert explain(tree, ctx).result is got
    return got


def check(op, value, actual, expected):
    """``op``/``value`` against ``actual`` on every kind of path, and its twin."""
    for path in PATHS:
        tree = leaf(path, op, value)
        ctx = put(path, actual)
        assert evaluate(tree, ctx) is expected, (path, op, value, actual)
        twin = {v: k for k, v in NEGATIONS.items()}.get(op)
        if twin:
            assert evaluate(leaf(path, twin, value), ctx) is (not expected), (path, twin)


# ------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("value", "actual", "expected"),
    [
        ("buying", "buying", True),
        ("buying", " BUYING ", True),
        ("Buying", "buying", True),
        ("buying", "buyin", False),
        ("buying", MISSING, False),
        ("buying", None, False),
        ("", "", True),  # an empty string is present
        ("", "   ", True),  # ... and trimmed
        ("", MISSING, False),
        # numbers and numeric strings compare as numbers
        (200, 200, True),
        (200, "200", True),
        (200, " 2e2 ", True),
        (200, 200.0, True),
        (200, 201, False),
        (200, "abc", False),
        ("200", 200, True),
        (" 200 ", "200.0", True),
        (1.5, "1.50", True),
        ("007", 7, True),
        (1, float("nan"), False),
        (1, float("inf"), False),
        (1, "1_0", False),
        # bool is not a number; True is the text "true"
        (True, True, True),
        (True, "TRUE ", True),
        ("true", True, True),
        (False, False, True),
        (False, "false", True),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (0, False, False),
        (True, False, False),
        # a list or dict actual never equals a value (use contains / in)
        ("a", ["a"], False),
        ("a", {"a": 1}, False),
        (1, [1], False),
    ],
)
def test_eq_and_neq(value, actual, expected):
    check("eq", value, actual, expected)


@pytest.mark.parametrize(
    ("value", "actual", "expected"),
    [
        (["LinkedIn Ads", "G2"], "g2 ", True),
        (["LinkedIn Ads", "G2"], " linkedin ADS", True),
        (["LinkedIn Ads", "G2"], "Google", False),
        (["LinkedIn Ads", "G2"], MISSING, False),
        (["LinkedIn Ads", "G2"], None, False),
        (["LinkedIn Ads", "G2"], ["x", "G2"], True),  # any element of a list
        (["LinkedIn Ads", "G2"], ["x", "y"], False),
        (["LinkedIn Ads", "G2"], [], False),
        (["LinkedIn Ads", "G2"], [["g2"]], False),  # one level of list only
        (["LinkedIn Ads", "G2"], {"G2": 1}, False),
        ([200, "abc"], "200", True),
        ([200, "abc"], 200.0, True),
        (["1", "2"], 1, True),
        (["1", "2"], [" 2 "], True),
        ([True], "true", True),
        ([True], 1, False),
        ([1], True, False),
        (["", "x"], " ", True),
    ],
)
def test_in_and_not_in(value, actual, expected):
    check("in", value, actual, expected)


@pytest.mark.parametrize(
    ("value", "actual", "expected"),
    [
        ("acme", "The ACME corp", True),
        (" acme ", "acme", True),
        ("acme", "acm", False),
        ("acme", MISSING, False),
        ("hubspot", ["Salesforce", "HubSpot "], True),  # list: an element equals the value
        ("hub", ["Salesforce", "HubSpot"], False),  # ... not a substring of one
        ("5", [5], True),
        (5, ["5"], True),
        (True, [True], True),
        (True, [1], False),
        ("x", [], False),
        (200, "Series 200 plan", True),  # the value's text in the actual's text
        (5, 15, True),  # a number actual is its text
        ("true", True, True),
        ("x", {"x": 1}, False),
        ("", "anything", True),
    ],
)
def test_contains_and_not_contains(value, actual, expected):
    check("contains", value, actual, expected)


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("starts_with", "vp", " VP Sales", True),
        ("starts_with", "VP", "svp", False),
        ("starts_with", "12", 123, True),
        ("starts_with", "vp", ["vp"], False),
        ("starts_with", "vp", MISSING, False),
        ("starts_with", "https://", "HTTPS://acme.com/pricing", True),
        ("ends_with", ".io", "x.IO ", True),
        ("ends_with", ".io", "x.com", False),
        ("ends_with", "/pricing", "https://acme.com/Pricing", True),
        ("ends_with", "x", {"x": "x"}, False),
        ("ends_with", "x", MISSING, False),
    ],
)
def test_starts_with_and_ends_with(op, value, actual, expected):
    check(op, value, actual, expected)


@pytest.mark.parametrize(
    ("op", "value", "actual", "expected"),
    [
        ("gt", 200, 250, True),
        ("gt", 200, 200, False),
        ("gt", 200, "250", True),
        ("gt", 200, " 1e3 ", True),
        ("gt", 200, 200.5, True),
        ("gt", "200", 250, True),  # a numeric string value is normalised
        ("gt", 200, "abc", False),
        ("gt", 200, "", False),
        ("gt", 0, True, False),  # bool is not a number
        ("gt", 200, [300], False),
        ("gt", 200, {"n": 300}, False),
        ("gt", 200, float("nan"), False),
        ("gt", 200, float("inf"), False),
        ("gt", 200, "inf", False),
        ("gt", 200, MISSING, False),
        ("gt", 200, 10**400, True),
        ("gte", 200, 200, True),
        ("gte", 200, "199.99", False),
        ("lt", 200, 199.9, True),
        ("lt", 200, 200, False),
        ("lt", 200, "-5", True),
        ("lt", 200, MISSING, False),
        ("lte", 200, 200, True),
        ("lte", 200, 200.01, False),
        ("lte", 2.5, "2.5", True),
        ("between", [10, 20], 10, True),
        ("between", [10, 20], 20, True),
        ("between", [10, 20], 15.5, True),
        ("between", [10, 20], " 15 ", True),
        ("between", ["10", "2e1"], 20, True),
        ("between", [10, 20], 9, False),
        ("between", [10, 20], 20.001, False),
        ("between", [10, 20], True, False),
        ("between", [10, 20], MISSING, False),
        ("between", [5, 5], 5, True),
    ],
)
def test_numeric_operators(op, value, actual, expected):
    check(op, value, actual, expected)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("", True),
        (0, True),
        (False, True),
        ([], True),
        ({}, True),
        (None, False),
        (MISSING, False),
    ],
)
def test_exists_and_not_exists(actual, expected):
    check("exists", MISSING, actual, expected)


@pytest.mark.parametrize(
    ("op", "actual", "expected"),
    [
        ("is_true", True, True),
        ("is_true", "true", True),
        ("is_true", " TRUE ", True),
        ("is_true", False, False),
        ("is_true", 1, False),
        ("is_true", "yes", False),
        ("is_true", [True], False),
        ("is_true", MISSING, False),
        ("is_false", False, True),
        ("is_false", "False", True),
        ("is_false", True, False),
        ("is_false", 0, False),
        ("is_false", "", False),
        ("is_false", MISSING, False),  # missing is neither true nor false
    ],
)
def test_is_true_and_is_false(op, actual, expected):
    check(op, MISSING, actual, expected)


@pytest.mark.parametrize(
    ("value", "actual", "expected"),
    [
        ("^vp", "VP of Sales", True),
        ("^vp", "SVP of Sales", False),
        ("^vp", "  vp, marketing", True),  # trimmed
        ("^123", 12345, True),
        ("^2\\.5$", 2.5, True),
        ("^true$", True, True),
        ("vp", ["vp"], False),
        ("vp", {"vp": 1}, False),
        ("vp", MISSING, False),
        ("linkedin|g2", "From G2 reviews", True),
        ("", "anything", True),
        ("(a+)+$", "a" * 5000, True),
    ],
)
def test_matches(value, actual, expected):
    check("matches", value, actual, expected)


def test_matches_catastrophic_pattern_completes():
    # A backtracking engine takes forever on this; RE2 is linear in the input.
    tree = leaf("lead.title", "matches", "(a+)+$")
    assert evaluate(tree, put("lead.title", "a" * 100_000 + "!")) is False
    tree = leaf("lead.title", "matches", "^(a|aa)+$")
    assert evaluate(tree, put("lead.title", "a" * 100_000 + "b")) is False


def test_matches_never_raises_on_unencodable_text():
    tree = leaf("lead.title", "matches", "x")
    assert evaluate(tree, put("lead.title", "x\ud800")) is False


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("bob@acme.com", True),
        ("bob@ACME.COM ", True),
        ("acme.com", True),
        ("Acme.com.", True),
        ("sub.acme.com", True),
        ("bob@mail.sub.acme.com", True),
        ("foo.io", True),
        ("evilacme.com", False),  # a look-alike, not a subdomain
        ("bob@evilacme.com", False),
        ("acme.com.evil.io", False),
        ("acme.co", False),
        ("com", False),
        ("bob@", False),
        ("", False),
        ("bob@acme.com@evil.io", False),  # the part after the LAST @
        (["x@foo.org", "y@acme.com"], True),
        (["x@foo.org"], False),
        (123, False),
        ({"acme.com": 1}, False),
        (MISSING, False),
    ],
)
def test_domain_in(actual, expected):
    check("domain_in", ["acme.com", "@Foo.io"], actual, expected)


# -------------------------------------------------------------- field access


def test_a_missing_field_makes_positive_operators_false_and_negatives_true():
    samples = {
        "eq": "x",
        "in": ["x"],
        "contains": "x",
        "starts_with": "x",
        "ends_with": "x",
        "gt": 1,
        "gte": 1,
        "lt": 1,
        "lte": 1,
        "between": [1, 2],
        "exists": MISSING,
        "is_true": MISSING,
        "is_false": MISSING,
        "matches": "x",
        "domain_in": ["x.com"],
    }
    contexts = [
        {},
        {"company": None},
        {"company": "Acme"},
        {"company": ["f"]},
        {"company": {}},
        {"company": {"f": None}},
        {"company": {"g": 1}},
    ]
    for op, value in samples.items():
        for ctx in contexts:
            assert evaluate(leaf("company.f", op, value), ctx) is False, (op, ctx)
    for neg, pos in NEGATIONS.items():
        for ctx in contexts:
            assert evaluate(leaf("company.f", neg, samples[pos]), ctx) is True, (neg, ctx)


@pytest.mark.parametrize("ctx", [None, [], "ctx", 5, {"company"}])
def test_a_context_that_is_not_a_dict_has_every_field_missing(ctx):
    assert evaluate(leaf("company.employees", "gt", 1), ctx) is False
    assert evaluate(leaf("company.employees", "not_exists"), ctx) is True
    assert evaluate(leaf("custom.a.b", "neq", 1), ctx) is True
    assert evaluate({"all": []}, ctx) is True


def test_walks_nested_dicts():
    ctx = {"lead": {"a": {"b": {"c": "x"}}}}
    assert evaluate(leaf("lead.a.b.c", "eq", "X"), ctx) is True
    assert evaluate(leaf("lead.a.b", "exists"), ctx) is True
    assert evaluate(leaf("lead.a.b.c.d", "exists"), ctx) is False  # "x" is not a dict


def test_open_prefixes_try_the_dotted_name_as_one_key_first():
    tree = leaf("crm.fields.Account.Name", "eq", "Acme")
    assert evaluate(tree, {"crm": {"fields": {"Account.Name": "Acme"}}}) is True
    assert evaluate(tree, {"crm": {"fields": {"Account": {"Name": "Acme"}}}}) is True
    flat_wins = {"crm": {"fields": {"Account.Name": "Acme", "Account": {"Name": "Other"}}}}
    assert evaluate(tree, flat_wins) is True
    # a flat key holding None does not hide the nested value
    nested = {"crm": {"fields": {"Account.Name": None, "Account": {"Name": "Acme"}}}}
    assert evaluate(tree, nested) is True
    assert evaluate(tree, {"crm": {"fields": "Acme"}}) is False
    custom = leaf("custom.plan.tier", "eq", "gold")
    assert evaluate(custom, {"custom": {"plan.tier": "Gold"}}) is True
    assert evaluate(custom, {"custom": {"plan": {"tier": "Gold"}}}) is True


def test_dict_subclasses_and_str_or_int_enums_work():
    class Intent(enum.StrEnum):
        BUYING = "buying"

    class Size(enum.IntEnum):
        BIG = 500

    ctx = OrderedDict(intent=OrderedDict(type=Intent.BUYING), company={"employees": Size.BIG})
    assert evaluate(leaf("intent.type", "eq", "BUYING"), ctx) is True
    assert evaluate(leaf("intent.type", "in", ["buying"]), ctx) is True
    assert evaluate(leaf("company.employees", "gt", 200), ctx) is True
    assert evaluate(leaf("company.employees", "eq", 500), ctx) is True
    assert evaluate(leaf("company.employees", "eq", "500"), ctx) is True


# -------------------------------------------------------------------- groups

T = leaf("company.employees", "gt", 200)  # true on CTX
F = leaf("intent.type", "eq", "support")  # false on CTX
CTX = {"company": {"employees": 500}, "intent": {"type": "buying"}}


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        ({"all": []}, True),
        ({"any": []}, False),
        ({"all": [T, T]}, True),
        ({"all": [T, F]}, False),
        ({"any": [F, T]}, True),
        ({"any": [F, F]}, False),
        ({"not": T}, False),
        ({"not": F}, True),
        ({"not": {"not": T}}, True),
        ({"not": {"all": []}}, False),
        ({"not": {"any": []}}, True),
        ({"all": [T, {"any": [F, {"not": F}]}]}, True),
        ({"all": [{"all": [T, {"all": []}]}, {"all": [T]}]}, True),
        ({"any": [{"any": [F, {"any": []}]}, {"any": [F]}]}, False),
        ({"not": {"all": [T, F]}}, True),
        ({"not": {"any": [T, F]}}, False),
        ({"all": [T, T, T, T, T]}, True),
        ({"all": [T, T, T, T, F]}, False),
        ({"any": [F, F, F, F, T]}, True),
        ({"any": [F, F, F]}, False),
        ({"all": [T, T, F]}, False),
    ],
)
def test_groups(tree, expected):
    assert evaluate(tree, CTX) is expected


def test_spec_example():
    tree = {
        "all": [
            {"field": "company.employees", "op": "gt", "value": 200},
            {
                "any": [
                    {"field": "attribution.channel", "op": "in", "value": ["LinkedIn Ads", "G2"]},
                    {"field": "intent.type", "op": "eq", "value": "buying"},
                ]
            },
            {"not": {"field": "lead.is_personal_email", "op": "is_true"}},
        ]
    }
    base = {
        "company": {"employees": 350},
        "attribution": {"channel": "g2"},
        "intent": {"type": "support"},
        "lead": {"is_personal_email": False},
    }
    assert evaluate(tree, base) is True
    assert evaluate(tree, {**base, "company": {"employees": "150"}}) is False
    assert evaluate(tree, {**base, "attribution": {}}) is False
    assert evaluate(tree, {**base, "attribution": {}, "intent": {"type": "Buying"}}) is True
    assert evaluate(tree, {**base, "lead": {"is_personal_email": "true"}}) is False
    assert evaluate(tree, {**base, "lead": {}}) is True  # unknown is not "true"


# ---------------------------------------------------------------- validation


def deep_not(depth, node=None):
    node = node or leaf("lead.email", "exists")
    for _ in range(depth - 1):
        node = {"not": node}
    return node


def deep_all(depth):
    node = leaf("lead.email", "exists")
    for _ in range(depth - 1):
        node = {"all": [node]}
    return node


@pytest.mark.parametrize(
    ("tree", "path", "message"),
    [
        ([], "", "expected an object"),
        ("all", "", "expected an object"),
        (None, "", "expected an object"),
        ({}, "", "empty condition"),
        ({"all": [], "any": []}, "", "one of all/any/not"),
        ({"all": [], "x": 1}, "", "unknown key"),
        ({"all": {}}, "", "must be a list"),
        ({"any": "x"}, "", "must be a list"),
        ({"all": [1]}, "all[0]", "expected an object"),
        ({"not": []}, "not", "expected an object"),
        ({"all": [{"field": "lead.email", "op": "exists", "all": []}]}, "all[0]", "unknown key"),
        ({"field": "lead.email", "op": "eq", "value": "x", "label": "y"}, "", "unknown key"),
        ({"field": "lead.email"}, "", "'op' is required"),
        ({"op": "eq", "value": 1}, "", "'field' is required"),
        (leaf(5, "eq", 1), "", "'field' must be a string"),
        (leaf("", "eq", 1), "", "'field' is empty"),
        (leaf("custom." + "x" * 200, "eq", 1), "", "longer than 200"),
        (leaf("foo.bar", "eq", 1), "", "must start with one of"),
        (leaf("Lead.email", "eq", 1), "", "must start with one of"),
        (leaf("lead", "eq", 1), "", "needs a name"),
        (leaf("lead..email", "eq", 1), "", "empty part"),
        (leaf("lead.email.", "eq", 1), "", "empty part"),
        (leaf("lead. email", "eq", 1), "", "leading or trailing spaces"),
        (leaf(" lead.email", "eq", 1), "", "must start with one of"),
        (leaf("custom.x\n", "eq", 1), "", "leading or trailing spaces"),
        (leaf("custom.a\x00b", "eq", 1), "", "unprintable"),
        (leaf("lead.email", "equals", 1), "", "unknown operator 'equals'"),
        (leaf("lead.email", None, 1), "", "'op' must be a string"),
        (leaf("lead.email", "eq"), "", "'value' is required"),
        (leaf("lead.email", "eq", None), "", "'value' is required"),
        (leaf("lead.email", "eq", [1]), "", "single value"),
        (leaf("lead.email", "eq", {"a": 1}), "", "single value"),
        (leaf("lead.email", "eq", float("nan")), "", "finite"),
        (leaf("lead.email", "neq", float("inf")), "", "finite"),
        (leaf("lead.email", "eq", 10**30), "", "out of range"),
        (leaf("lead.email", "contains", ["a"]), "", "single value"),
        (leaf("lead.email", "in", []), "", "empty list"),
        (leaf("lead.email", "in", "abc"), "", "must be a list"),
        (leaf("lead.email", "not_in", [None]), "", "item 0 must not be null"),
        (leaf("lead.email", "in", ["a", ["b"]]), "", "item 1 must be a single value"),
        (leaf("lead.email", "in", list(range(501))), "", "more than 500"),
        (leaf("lead.email", "starts_with", 5), "", "must be text"),
        (leaf("lead.email", "ends_with", None), "", "'value' is required"),
        (leaf("company.employees", "gt", "abc"), "", "must be a number"),
        (leaf("company.employees", "gte", True), "", "not true/false"),
        (leaf("company.employees", "lt", float("nan")), "", "finite"),
        (leaf("company.employees", "lte", "1e999"), "", "must be a number"),
        (leaf("company.employees", "gt", [1]), "", "must be a number"),
        (leaf("company.employees", "between", [1]), "", "two numbers"),
        (leaf("company.employees", "between", [1, 2, 3]), "", "two numbers"),
        (leaf("company.employees", "between", "1,2"), "", "two numbers"),
        (leaf("company.employees", "between", [2, 1]), "", "greater than"),
        (leaf("company.employees", "between", ["a", 2]), "", "low bound must be a number"),
        (leaf("company.employees", "between", [1, None]), "", "high bound must be a number"),
        (leaf("lead.email", "exists", 1), "", "takes no value"),
        (leaf("lead.email", "is_true", True), "", "takes no value"),
        (leaf("lead.title", "matches", "(a"), "", "invalid pattern"),
        (leaf("lead.title", "matches", "(?P<x>a)\\1"), "", "invalid pattern"),
        (leaf("lead.title", "matches", "a" * 501), "", "longer than 500"),
        (leaf("lead.title", "matches", 5), "", "regular expression"),
        (leaf("lead.email", "domain_in", []), "", "empty list"),
        (leaf("lead.email", "domain_in", "acme.com"), "", "must be a list"),
        (leaf("lead.email", "domain_in", ["acme"]), "", "item 0 is not a domain"),
        (leaf("lead.email", "domain_in", ["acme.com", "acme .com"]), "", "item 1 is not"),
        (leaf("lead.email", "domain_in", ["acme..com"]), "", "not a domain"),
        (leaf("lead.email", "domain_in", [" "]), "", "not a domain"),
        (leaf("lead.email", "domain_in", [5]), "", "item 0 must be a domain"),
    ],
)
def test_validation_errors(tree, path, message):
    with pytest.raises(ConditionError) as info:
        validate(tree)
    assert info.value.path == path
    assert message in info.value.message
    assert message in str(info.value)
    assert str(info.value).startswith(path or "root")
    # compile, explain and describe refuse exactly the same trees
    for fn in (compile, describe, fields, lambda t: explain(t, {})):
        with pytest.raises(ConditionError):
            fn(tree)


def test_error_names_the_nested_node_with_its_field_and_op():
    tree = {
        "all": [
            leaf("lead.email", "exists"),
            {"any": [leaf("company.employees", "gt", "many"), leaf("lead.x", "bad", 1)]},
        ]
    }
    with pytest.raises(ConditionError) as info:
        validate(tree)
    e = info.value
    assert e.path == "all[1].any[0]"
    assert (e.field, e.op) == ("company.employees", "gt")
    assert str(e) == "all[1].any[0] (company.employees gt): value must be a number, got 'many'"
    assert isinstance(e, ValueError)


def test_error_paths_through_not_and_root_leaf():
    with pytest.raises(ConditionError) as info:
        validate({"any": [{"not": {"all": [leaf("lead.email", "nope")]}}]})
    assert info.value.path == "any[0].not.all[0]"
    assert str(info.value).startswith("any[0].not.all[0] (lead.email nope): unknown operator")
    with pytest.raises(ConditionError) as info:
        validate(leaf("company.employees", "gt", "x"))
    assert str(info.value).startswith("root (company.employees gt): ")


def test_condition_error_pickles():
    with pytest.raises(ConditionError) as info:
        validate({"all": [leaf("lead.email", "gt", "x")]})
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.path, copy.message, str(copy)) == (
        info.value.path,
        info.value.message,
        str(info.value),
    )


def test_depth_limit():
    assert MAX_DEPTH == 10
    validate(deep_not(10))
    validate(deep_all(10))
    with pytest.raises(ConditionError) as info:
        validate(deep_not(11))
    assert info.value.path == ".".join(["not"] * 10)
    assert "deeper than 10" in info.value.message
    with pytest.raises(ConditionError) as info:
        validate(deep_all(11))
    assert info.value.path == ".".join(["all[0]"] * 10)
    # a group at depth 11 is as bad as a leaf
    validate(deep_not(10, {"all": []}))
    with pytest.raises(ConditionError):
        validate(deep_not(11, {"all": []}))


@pytest.mark.parametrize("builder", [deep_not, deep_all])
def test_absurd_nesting_is_a_condition_error_not_a_recursion_error(builder):
    with pytest.raises(ConditionError):
        validate(builder(10_000))
    with pytest.raises(ConditionError):
        compile(builder(10_000))


def test_leaf_limit():
    assert MAX_LEAVES == 200
    ok = {"all": [leaf("lead.email", "exists")] * 200}
    validate(ok)
    assert leaves(ok) == 200
    with pytest.raises(ConditionError) as info:
        validate({"any": [ok, leaf("lead.name", "exists")]})
    assert info.value.path == "any[1]"
    assert "more than 200" in info.value.message


def test_values_that_are_accepted():
    for tree in [
        leaf("lead.email", "exists", None),  # an explicit null value is "no value"
        leaf("lead.email", "eq", ""),
        leaf("lead.email", "eq", 0),
        leaf("lead.email", "eq", False),
        leaf("lead.email", "in", [1, "a", True, 2.5]),
        leaf("lead.email", "in", ["x"] * 500),
        leaf("company.employees", "gt", " 200 "),
        leaf("company.employees", "between", [-1.5, "10"]),
        leaf("lead.title", "matches", "a" * 500),
        leaf("lead.email", "domain_in", ["@acme.com", "Bob@Acme.com", "acme.com.", "ünï.de"]),
        leaf("company.funding_stage", "eq", "seed"),  # not in the catalog, known namespace
        leaf("crm.fields.Account.Name", "eq", "x"),
        leaf("custom.team size", "eq", "x"),
    ]:
        validate(tree)


def test_normalize_gives_canonical_values():
    tree = {
        "all": [
            leaf("company.employees", "gt", " 200 "),
            leaf("company.employees", "between", ["1e1", 20.0]),
            leaf("lead.email", "domain_in", ["@Acme.com", "bob@foo.IO", "bar.org."]),
            leaf("lead.email", "exists", None),
            {"not": leaf("attribution.channel", "in", ["G2"])},
        ]
    }
    assert normalize(tree) == {
        "all": [
            leaf("company.employees", "gt", 200),
            leaf("company.employees", "between", [10.0, 20.0]),
            leaf("lead.email", "domain_in", ["acme.com", "foo.io", "bar.org"]),
            leaf("lead.email", "exists"),
            {"not": leaf("attribution.channel", "in", ["G2"])},
        ]
    }
    assert normalize(normalize(tree)) == normalize(tree)


def test_validate_does_not_mutate_the_tree():
    tree = {"all": [leaf("company.employees", "gt", "200")]}
    snapshot = json.dumps(tree)
    validate(tree)
    compile(tree)
    describe(tree)
    assert json.dumps(tree) == snapshot


# ------------------------------------------------------------------- explain


def test_explain_trace_shapes():
    tree = {
        "all": [
            leaf("company.employees", "gt", "200"),
            {"any": [leaf("attribution.channel", "in", ["LinkedIn Ads", "G2"])]},
            {"not": leaf("lead.is_personal_email", "is_true")},
        ]
    }
    ctx = {"company": {"employees": 120}, "attribution": {"channel": "G2"}, "lead": {}}
    result = explain(tree, ctx)
    assert isinstance(result, GroupExplanation)
    assert result.result is False
    assert result.to_dict() == {
        "group": "all",
        "result": False,
        "children": [
            {
                "field": "company.employees",
                "op": "gt",
                "value": 200,
                "actual": 120,
                "missing": False,
                "result": False,
            },
            {
                "group": "any",
                "result": True,
                "children": [
                    {
                        "field": "attribution.channel",
                        "op": "in",
                        "value": ["LinkedIn Ads", "G2"],
                        "actual": "G2",
                        "missing": False,
                        "result": True,
                    }
                ],
            },
            {
                "group": "not",
                "result": True,
                "children": [
                    {
                        "field": "lead.is_personal_email",
                        "op": "is_true",
                        "value": None,
                        "actual": None,
                        "missing": True,
                        "result": False,
                    }
                ],
            },
        ],
    }
    first = result.children[0]
    assert isinstance(first, LeafExplanation)
    assert (first.field, first.actual, first.missing) == ("company.employees", 120, False)


def test_explain_does_not_short_circuit():
    tree = {"all": [F, T, {"any": [T, F]}]}
    trace = explain(tree, CTX).to_dict()
    assert trace["result"] is False
    assert [c["result"] for c in trace["children"]] == [False, True, True]
    assert [c["result"] for c in trace["children"][2]["children"]] == [True, False]


def test_explain_negative_operator_on_missing_field():
    trace = explain(leaf("crm.owner_email", "not_exists"), {"crm": None}).to_dict()
    assert trace == {
        "field": "crm.owner_email",
        "op": "not_exists",
        "value": None,
        "actual": None,
        "missing": True,
        "result": True,
    }


class Weird:
    def __str__(self):
        raise RuntimeError("no")


def test_explain_actuals_are_made_json_safe():
    cyclic: dict = {"a": 1}
    cyclic["self"] = cyclic
    deep: list = ["deep"]
    for _ in range(50):
        deep = [deep]
    actuals = [
        float("nan"),
        float("inf"),
        10**5000,
        {1, 2},
        (1, "x"),
        b"bytes",
        Weird(),
        "lone \ud800 surrogate",
        {(1, 2): "tuple key", 3: "int key", None: "none key"},
        cyclic,
        deep,
        list(range(10_000)),
    ]
    for actual in actuals:
        trace = explain(leaf("custom.x", "exists"), {"custom": {"x": actual}}).to_dict()
        text = json.dumps(trace, allow_nan=False)
        text.encode("utf-8")  # storable as UTF-8 (no lone surrogates)
        assert trace["missing"] is False and trace["result"] is True
    plain = explain(leaf("custom.x", "exists"), {"custom": {"x": {"a": [1, "b", None]}}})
    assert plain.to_dict()["actual"] == {"a": [1, "b", None]}


# ------------------------------------------------------------------ describe


@pytest.mark.parametrize(
    ("tree", "text"),
    [
        (
            {
                "all": [
                    leaf("company.employees", "gt", 200),
                    {"any": [leaf("attribution.channel", "in", ["LinkedIn Ads", "G2"])]},
                ]
            },
            "Company employees > 200 AND (Attribution channel is one of LinkedIn Ads, G2)",
        ),
        (
            {
                "all": [
                    leaf("company.employees", "gt", 200),
                    {
                        "any": [
                            leaf("attribution.channel", "in", ["LinkedIn Ads", "G2"]),
                            leaf("intent.type", "eq", "buying"),
                        ]
                    },
                    {"not": leaf("lead.is_personal_email", "is_true")},
                ]
            },
            "Company employees > 200 AND (Attribution channel is one of LinkedIn Ads, G2 OR "
            "Intent type is buying) AND NOT (Lead personal email is true)",
        ),
        ({"all": []}, "Everyone"),
        ({"any": []}, "Nobody"),
        ({"not": {"any": [T, F]}}, "NOT (Company employees > 200 OR Intent type is support)"),
        (
            leaf("company.employees", "between", [10, "2e1"]),
            "Company employees is between 10 and 20",
        ),
        (leaf("company.revenue", "gte", 2.5), "Company revenue >= 2.5"),
        (leaf("crm.owner_email", "exists"), "CRM owner email is known"),
        (leaf("crm.owner_email", "not_exists"), "CRM owner email is unknown"),
        (leaf("lead.title", "matches", "^vp"), "Lead job title matches /^vp/"),
        (leaf("lead.email", "domain_in", ["@acme.com"]), "Lead email domain is one of acme.com"),
        (
            leaf("company.domain", "domain_in", ["acme.com"]),
            "Company domain is one of or under acme.com",
        ),
        (leaf("custom.plan", "neq", "free"), "Custom: plan is not free"),
        (leaf("crm.fields.Tier__c", "eq", True), "CRM field: Tier__c is true"),
        (leaf("company.funding", "eq", "seed"), "company.funding is seed"),
        (leaf("lead.name", "eq", ""), "Lead name is ''"),
        (
            leaf("company.tech", "not_contains", "Salesforce"),
            "Company tech stack does not contain Salesforce",
        ),
        (
            leaf("link.slug", "in", [f"s{i}" for i in range(12)]),
            "Knock Link slug is one of s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 2 more",
        ),
    ],
)
def test_describe(tree, text):
    assert describe(tree) == text


def test_fields_and_leaves():
    tree = {"all": [T, {"any": [F, {"not": T}]}, leaf("custom.a.b", "exists")]}
    assert fields(tree) == {"company.employees", "intent.type", "custom.a.b"}
    assert leaves(tree) == 4
    assert fields({"all": []}) == set() and leaves({"any": []}) == 0


# ---------------------------------------------------------------- properties

FIELD_POOL = sorted(catalog.FIELDS) + [
    "company.funding",
    "custom.plan",
    "custom.a.b",
    "crm.fields.Industry__c",
    "crm.fields.Account.Name",
    "lead.x.y",
]
TEXTS = [
    "acme",
    "Acme",
    " ACME ",
    "buying",
    "BUYING",
    "LinkedIn Ads",
    "g2",
    "true",
    "FALSE",
    "",
    " ",
    "200",
    " 250 ",
    "1e3",
    "-5",
    "bob@acme.com",
    "acme.com",
    "sub.acme.com",
    "evilacme.com",
    "vp sales",
]
scalars = st.one_of(
    st.sampled_from(TEXTS),
    st.sampled_from([0, 1, 200, 250, 1000, -1, 200.0, 2.5, True, False]),
    st.integers(-1000, 1000),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.text(max_size=6),
    st.booleans(),
)
numbers = st.one_of(
    st.integers(-2000, 2000), st.floats(-1e4, 1e4), st.sampled_from(["200", " 250 ", "1e3"])
)
PATTERNS = ["^a", "acme", "(a+)+$", "^\\d+$", "linkedin|g2", "", "buy.*", "^true$", "\\.com$"]
DOMAINS = ["acme.com", "@acme.com", "sub.acme.com", "foo.io", "bob@acme.com", "ACME.com."]


def _value_for(op):
    op = NEGATIONS.get(op, op)
    if op in ("eq", "contains"):
        return scalars
    if op == "in":
        return st.lists(scalars, min_size=1, max_size=5)
    if op in ("starts_with", "ends_with"):
        return st.sampled_from(TEXTS) | st.text(max_size=4)
    if op in ("gt", "gte", "lt", "lte"):
        return numbers
    if op == "between":
        return st.tuples(numbers, numbers).map(
            lambda p: sorted(p, key=lambda x: float(x) if isinstance(x, str) else x)
        )
    if op == "matches":
        return st.sampled_from(PATTERNS)
    if op == "domain_in":
        return st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=3)
    return st.just(MISSING)  # exists, is_true, is_false


@st.composite
def leaves_of(draw, ops=OPERATORS, field_pool=FIELD_POOL):
    op = draw(st.sampled_from(ops))
    return leaf(draw(st.sampled_from(field_pool)), op, draw(_value_for(op)))


def trees(max_depth=5):
    base = leaves_of() | st.just({"all": []}) | st.just({"any": []})
    if max_depth == 1:
        return base
    sub = trees(max_depth - 1)
    return st.one_of(
        base,
        st.lists(sub, max_size=4).map(lambda xs: {"all": xs}),
        st.lists(sub, max_size=4).map(lambda xs: {"any": xs}),
        sub.map(lambda x: {"not": x}),
    )


weird_values = st.one_of(
    st.none(),
    scalars,
    st.floats(),  # NaN and infinities
    st.sampled_from([10**400, -(10**300), "x\ud800", b"bytes", frozenset({1, 2}), object()]),
    st.text(),
)
values = st.one_of(
    weird_values,
    st.lists(weird_values, max_size=4),
    st.dictionaries(st.text(max_size=3), weird_values, max_size=3),
)


@st.composite
def contexts(draw):
    """Nested dicts with catalog (and custom) fields holding anything, or nothing."""
    ctx: dict = {}
    for path in draw(st.lists(st.sampled_from(FIELD_POOL), max_size=12, unique=True)):
        value = draw(values)
        parts = path.split(".")
        # An open prefix whose name has a dot ("crm.fields.Account.Name") is
        # stored either nested or flat ({"Account.Name": ...}).
        head = 1 if path.startswith("custom.") else 2 if path.startswith("crm.fields.") else 0
        if head and len(parts) > head + 1 and draw(st.booleans()):
            parts = parts[:head] + [".".join(parts[head:])]
        d = ctx
        for p in parts[:-1]:
            nxt = d.setdefault(p, {})
            if not isinstance(nxt, dict):
                break
            d = nxt
        else:
            d[parts[-1]] = value
    # Sometimes a whole namespace is not a dict at all.
    for ns in draw(st.lists(st.sampled_from(catalog.NAMESPACES), max_size=2)):
        ctx[ns] = draw(weird_values | st.lists(scalars, max_size=2))
    return ctx


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(trees(), contexts())
def test_compile_agrees_with_explain(tree, ctx):
    validate(tree)
    assert compile(tree)(ctx) is explain(tree, ctx).result
    # and the canonical form of the tree means the same thing
    assert compile(normalize(tree))(ctx) is compile(tree)(ctx)


@PROPERTY
@given(trees(), contexts())
def test_not_is_the_exact_negation(tree, ctx):
    result = compile(tree)(ctx)
    assert compile({"not": tree})(ctx) is (not result)
    assert explain({"not": tree}, ctx).result is (not result)
    assert compile({"not": {"not": tree}})(ctx) is result


@PROPERTY
@given(st.data(), contexts())
def test_negative_operators_are_exact_negations_of_their_twins(data, ctx):
    neg, pos = data.draw(st.sampled_from(sorted(NEGATIONS.items())))
    field = data.draw(st.sampled_from(FIELD_POOL))
    value = data.draw(_value_for(pos))
    positive, negative = leaf(field, pos, value), leaf(field, neg, value)
    assert compile(negative)(ctx) is (not compile(positive)(ctx))
    assert explain(negative, ctx).result is (not explain(positive, ctx).result)


@PROPERTY
@given(st.data(), values)
def test_every_path_kind_resolves_alike(data, actual):
    """The fused two-part path, a three-part walk and an open prefix agree."""
    op = data.draw(st.sampled_from(OPERATORS))
    value = data.draw(_value_for(op))
    results = {
        compile(leaf(path, op, value))(put(path, actual))
        for path in ("company.zz", "lead.q.zz", "custom.q.zz")
    }
    flat = compile(leaf("custom.q.zz", op, value))({"custom": {"q.zz": actual}})
    assert results == {flat}


real_keys = st.sampled_from(["all", "any", "not", "field", "op", "value"])
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(),
    st.sampled_from(OPERATORS),
    st.sampled_from(FIELD_POOL + ["lead", "custom.", "x.y", "lead..a"]),
    st.sampled_from(PATTERNS + ["(a", "\\1", "a{1001}"]),
)
arbitrary_json = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(real_keys | st.text(max_size=4), children, max_size=4),
        st.fixed_dictionaries(
            {"field": st.sampled_from(FIELD_POOL) | json_scalars, "op": st.sampled_from(OPERATORS)},
            optional={"value": children},
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(arbitrary_json)
def test_validate_raises_only_condition_error(tree):
    try:
        validate(tree)
    except ConditionError as e:
        assert str(e)
        return
    # whatever validates also compiles, explains and describes
    assert isinstance(compile(tree)({}), bool)
    assert isinstance(describe(tree), str)
    json.dumps(explain(tree, {}).to_dict(), allow_nan=False)


arbitrary_contexts = st.one_of(
    contexts(),
    st.recursive(
        weird_values,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.sampled_from(catalog.NAMESPACES) | st.text(max_size=3), children)
        ),
        max_leaves=20,
    ),
)


@PROPERTY
@given(trees(), arbitrary_contexts)
def test_compile_never_raises_on_any_context(tree, ctx):
    assert isinstance(compile(tree)(ctx), bool)


@PROPERTY
@given(trees(), arbitrary_contexts)
def test_explain_to_dict_is_json(tree, ctx):
    trace = explain(tree, ctx).to_dict()
    text = json.dumps(trace, allow_nan=False)
    assert json.loads(text)["result"] is trace["result"]
    _check_shape(trace)


def _check_shape(node):
    if "group" in node:
        assert set(node) == {"group", "result", "children"}
        assert node["group"] in ("all", "any", "not")
        for child in node["children"]:
            _check_shape(child)
    else:
        assert set(node) == {"field", "op", "value", "actual", "missing", "result"}
        assert node["missing"] is (node["actual"] is None)


def test_nan_is_not_a_number_anywhere():
    ctx = put("company.employees", float("nan"))
    for op in ("gt", "gte", "lt", "lte"):
        assert evaluate(leaf("company.employees", op, 0), ctx) is False
    assert evaluate(leaf("company.employees", "between", [-1e18, 1e18]), ctx) is False
    assert math.isnan(explain(leaf("company.employees", "exists"), ctx).actual)


def test_explainer_is_explain_with_the_tree_prepared_once():
    from routing.conditions import explainer

    tree = {
        "all": [
            {"field": "company.employees", "op": "gt", "value": "200"},
            {"not": {"field": "lead.email", "op": "domain_in", "value": ["@Gmail.com"]}},
        ]
    }
    ctxs = [
        {"company": {"employees": 500}, "lead": {"email": "a@bigco.com"}},
        {"company": {"employees": 5}},
        {},
    ]
    prepared = explainer(tree)
    for ctx in ctxs:
        assert prepared(ctx).to_dict() == explain(tree, ctx).to_dict()
    with pytest.raises(ConditionError):
        explainer({"field": "company.employees", "op": "gt", "value": "many"})


@PROPERTY
@given(trees(), arbitrary_contexts)
def test_dict_explainer_is_explain_to_dict(tree, ctx):
    """The engine's trace builder (dicts straight away) gives what explain().to_dict()
    gives, on any tree and any context."""
    from routing.conditions import dict_explainer

    assert dict_explainer(tree)(ctx) == explain(tree, ctx).to_dict()
