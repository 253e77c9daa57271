"""Read a rendered form back as a browser would submit it (for round-trip tests)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get"),
                          "fields": [], "selects": []}  # fmt: skip
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "reset", "image"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
                return
            self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = {"name": name, "options": [], "selected": []}
            self._form["selects"].append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["selected"] or self._select["options"][:1]
            for value in chosen:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea[1]
            self._form["fields"].append(
                (self._textarea[0], value[1:] if value.startswith("\n") else value)
            )  # noqa: E501
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_data(html: str, action: str) -> dict[str, list[str]]:
    """The fields the post form whose action ends with `action` (or has none, for "")
    would submit."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        found = form["action"] == action if not action else form["action"].endswith(action)
        if form["method"].lower() == "post" and found:
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                if name != "csrfmiddlewaretoken":
                    data.setdefault(name, []).append(value)
            return data
    actions = [f["action"] for f in parser.forms]
    raise AssertionError(f"no post form with action {action!r} (forms: {actions})")
