"""Token authentication bound to one workspace.

`Authorization: Token <key>`; the key's SHA-256 is looked up, the workspace
it belongs to becomes `request.auth.workspace`, and every queryset in the API
is filtered by it, so another workspace's objects are simply not found (404).
"""

from django.db import connections, router
from django.utils.functional import cached_property
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from knock import rawsql
from routing.models import ApiToken, Workspace
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
        token = token_with_workspace(hash_token(key))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return TokenUser(token), token

    def authenticate_header(self, request):
        return self.keyword


# Identifiers from the models' _meta; the hash is a parameter.
_TOKEN_SQL = (
    "SELECT {token}, {workspace} FROM {tokens} t JOIN {workspaces} w ON w.id = t.workspace_id "
    "WHERE t.key_hash = %s AND t.revoked_at IS NULL"
)


def token_with_workspace(key_hash: str) -> ApiToken | None:
    """The unrevoked token of this hash, with its workspace (and so the workspace's
    routing stamp, routing/cache.py): one statement, on every API request. Written out
    (knock/rawsql.py): the ORM's select_related took ~1 ms of CPU to build it."""
    connection = connections[router.db_for_read(ApiToken)]
    sql = _TOKEN_SQL.format(
        token=rawsql.columns(ApiToken, "t", connection),
        workspace=rawsql.columns(Workspace, "w", connection),
        tokens=ApiToken._meta.db_table,
        workspaces=Workspace._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    token, workspace = rawsql.instances(row, [(ApiToken, "t"), (Workspace, "w")], connection)
    token.workspace = workspace
    return token


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
