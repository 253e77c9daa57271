"""The API's JSON renderer: DRF's output, encoded by orjson.

The 201 of a routed chat is ~40 KB of JSON (its context and trace) and DRF's
renderer (the standard library's json with DRF's encoder, then two passes to
escape U+2028/U+2029 and one to encode) took 0.84 ms of it on the benchmark's
50-segment rule; this takes 0.18 ms. The output is the same JSON: DRF's
encoder still formats what orjson doesn't take as is (datetimes, Decimals, lazy
strings, ...), U+2028 and U+2029 are still escaped, and a pretty-printed answer
(`Accept: application/json; indent=4`, the browsable API), non-string keys or an
integer beyond 64 bits go to DRF's own renderer. Floats keep their shortest
round-trip digits; a tiny or huge one may be written with another exponent
form (`1e-7` for `1e-07`), the same number to any JSON reader.
"""

from __future__ import annotations

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME  # datetimes as DRF writes them ("...Z")


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=_ENCODER.default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in out:  # U+2000..U+203F somewhere: escape U+2028 and U+2029
            out = out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return out
