class ActionError(Exception):
    """A refused change: bad input or a rule of the domain (400 unless said otherwise).

    `errors` is DRF-shaped ({"field": ["message"]}) so the API and the console
    can show it next to the offending field.
    """

    status_code = 400

    def __init__(self, errors, status_code: int | None = None, node_path: str | None = None):
        #: for a bad condition tree, the path of the offending node ("all[1]")
        self.node_path = node_path
        if isinstance(errors, str):
            errors = {"detail": errors}
        self.errors = errors
        if status_code is not None:
            self.status_code = status_code
        super().__init__(str(errors))

    def as_response_data(self):
        return self.errors

    def text(self) -> str:
        """Every message as one sentence run, for a flash message."""
        parts = []
        for value in self.errors.values():
            parts.extend(str(m) for m in (value if isinstance(value, list | tuple) else [value]))
        return " ".join(parts)


class NotFound(ActionError):
    status_code = 404
