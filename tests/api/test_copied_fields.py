"""routing/api/serializers/copied_fields.py: per-instance fields from a per-class template."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from rest_framework import serializers

from routing.api.serializers.chats import ChatCreateSerializer
from routing.api.serializers.copied_fields import CopiedFieldsMixin


class _Plain(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), max_length=2)
    size = serializers.IntegerField(min_value=0, required=False)


class _Copied(CopiedFieldsMixin, _Plain):
    pass


def test_each_instance_has_its_own_bound_fields():
    one, two = _Copied(data={}), _Copied(data={})
    assert one.fields["name"] is not two.fields["name"]
    assert one.fields["name"].parent is one and two.fields["name"].parent is two
    assert one.fields["name"].field_name == "name"


def test_it_validates_and_refuses_exactly_as_without_the_template():
    bodies = [
        {"name": "abc", "tags": ["x", "yz"], "size": 3},
        {"name": "toolong", "tags": ["x", "long", "z"], "size": -1},
        {"tags": "nope"},
        {"name": 5, "tags": [1]},
    ]
    for body in bodies:
        plain, copied = _Plain(data=body), _Copied(data=body)
        assert plain.is_valid() == copied.is_valid()
        assert plain.errors == copied.errors
        assert plain.validated_data == copied.validated_data


def test_threads_validating_at_once_keep_their_own_results():
    def validate(n: int):
        body = {"lead": {"email": f"lead{n}@x.test"}, "session": {"pages_viewed": n}}
        if n % 2:
            body["session"]["pages_viewed"] = -n  # refused: min_value 0
        s = ChatCreateSerializer(data=body)
        return n, s.is_valid(), s.validated_data if not n % 2 else s.errors

    with ThreadPoolExecutor(8) as pool:
        for n, ok, out in pool.map(validate, range(200)):
            if n % 2:
                assert not ok and "pages_viewed" in out["session"]
            else:
                assert ok and out["lead"]["email"] == f"lead{n}@x.test"
                assert out["session"]["pages_viewed"] == n
