"""The one error a delivery handler raises (every vendor's error is translated to it
at the handler's edge, in one line)."""


class DeliveryError(Exception):
    """`permanent` errors are not retried; `retry_after` is the vendor's wish (seconds)."""

    def __init__(self, message: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after
