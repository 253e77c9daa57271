"""Request parsers: DRF's, except that a too-deeply nested JSON body is a 400, not a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # json.loads on e.g. [[[[...]]]] nested 100k deep
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc


PARSER_CLASSES = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
