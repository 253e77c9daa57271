from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from ..parsers import PARSER_CLASSES
from ..release import release_after_sending


class WorkspaceScopedMixin:
    """Every queryset is the caller's workspace only: other rows are a 404."""

    model = None
    parser_classes = PARSER_CLASSES

    @property
    def workspace(self):
        return self.request.auth.workspace

    @property
    def schema_only(self) -> bool:
        """drf-spectacular introspects views with no authenticated request."""
        return getattr(self, "swagger_fake_view", False)

    def get_queryset(self):
        if self.schema_only:
            return self.model.objects.none()
        return self.model.objects.filter(workspace=self.workspace)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        release_after_sending(self, response)  # freed when sent, not at the next GC
        return response


class ActionViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD where every write goes through a routing.actions function."""

    create_action = update_action = delete_action = None
    update_serializer_class = None

    def action_kwargs(self) -> dict:
        """Extra keywords for the actions (rules and segments: the version's author)."""
        return {}

    def get_serializer_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class:
            return self.update_serializer_class
        return self.serializer_class

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        obj = type(self).update_action(
            instance, **serializer.validated_data, **self.action_kwargs()
        )
        return Response(self._out(obj))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        type(self).delete_action(self.get_object(), **self.action_kwargs())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _out(self, obj):
        fresh = self.get_queryset().get(pk=obj.pk)
        return self.serializer_class(fresh, context=self.get_serializer_context()).data


class CreatableActionViewSet(ActionViewSet):
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = type(self).create_action(
            self.workspace, **serializer.validated_data, **self.action_kwargs()
        )
        return Response(self._out(obj), status=status.HTTP_201_CREATED)
