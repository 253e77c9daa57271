"""Token authentication bound to one workspace.

`Authorization: Token <key>`; the key's SHA-256 is looked up, the workspace
it belongs to becomes `request.auth.workspace`, and every queryset in the API
is filtered by it, so another workspace's objects are simply not found (404).
"""

from django.utils.functional import cached_property
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from routing.models import ApiToken
from routing.models.workspace import hash_token


class TokenUser:
    """The API caller: authenticated, but not a Django user."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False

    def __init__(self, token: ApiToken):
        self.token = token

    @cached_property
    def username(self):
        return f"api:{self.token.prefix}"

    def __str__(self):
        return self.username


class WorkspaceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: expected 'Authorization: Token <key>'."
            )
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid token header.") from exc
        token = (
            ApiToken.objects.select_related("workspace")
            .filter(key_hash=hash_token(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return TokenUser(token), token

    def authenticate_header(self, request):
        return self.keyword


class HasWorkspace(permissions.BasePermission):
    message = "Authentication with a workspace API token is required."

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token scheme in the OpenAPI schema."""

    target_class = "routing.api.auth.WorkspaceTokenAuthentication"
    name = "workspaceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; each key belongs to one workspace "
            "(`manage.py create_workspace NAME` prints one).",
        }
