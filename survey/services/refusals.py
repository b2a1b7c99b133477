"""A refused change and its message, shared by every verb a form calls: ``OrgError`` names the
form field it concerns so a view can show the message next to it; ``Message`` is translated
when it is shown."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


class Message:
    """A text translated when it is shown: in the reader's language during a request, in
    English elsewhere (the CLI has no reader's language; ``flask_babel``'s lazy strings would
    need a request there). Escaped by Jinja like any string."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        if has_request_context():
            return gettext(self.msgid, **self.params)
        return self.msgid % self.params if self.params else self.msgid

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.msgid)


class OrgError(Exception):
    """A refused change: ``field`` is the form field concerned, ``message`` says why."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
