"""API error handling: DRF's usual shapes, and never a 500 for bad input."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from routing.actions.errors import ActionError


def exception_handler(exc, context):
    if isinstance(exc, ActionError):
        return Response(exc.as_response_data(), status=exc.status_code)
    if isinstance(exc, ProtectedError):
        used_by = sorted({str(obj) for obj in exc.protected_objects})[:10]
        return Response(
            {"detail": "This object is still in use by: " + ", ".join(used_by) + "."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent):
        # Django would answer its HTML 400 page; API clients get JSON like any 400.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is too large (at most {limit} bytes) or has too "
             "many fields."},
            status=status.HTTP_400_BAD_REQUEST,
        )  # fmt: skip
    if isinstance(exc, ObjectDoesNotExist):
        # The object was deleted by a concurrent request between this request's read
        # and its write (an action re-reads a row under lock): it is gone, a 404.
        return Response(
            {"detail": "Not found: it was deleted while this request ran."},
            status=status.HTTP_404_NOT_FOUND,
        )
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
