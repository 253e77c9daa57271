"""Limit/offset pagination with a bounded page size and strict parameters.

DRF's LimitOffsetPagination ignores a bad `limit`/`offset` (``?limit=abc``,
``?offset=null``) and, with no maximum, passes ``?limit=2**63`` to the database
(a 500). Here both must be whole numbers in range, or the answer is a 400.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
# Offsets beyond a 64-bit integer cannot reach the database; no list is that long.
MAX_OFFSET = 2**63 - 1 - MAX_PAGE_SIZE


def _whole_number(request, name: str, default: int, low: int, high: int) -> int:
    if name not in request.query_params:
        return default
    raw = request.query_params[name].strip()
    # isdigit() alone accepts e.g. "²"; the ASCII check keeps int() from surprising us.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 20 or not low <= int(raw) <= high:
        raise ValidationError({name: [f"A whole number from {low} to {high}."]})
    return int(raw)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request):
        return _whole_number(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request):
        return _whole_number(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = f"Results per page: {DEFAULT_PAGE_SIZE} unless given, at most "
        limit["description"] += f"{MAX_PAGE_SIZE}."
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
        offset["schema"] = {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}
        return [limit, offset]
