"""Every administrator's form, one field at a time, with values no browser sends: the page
answers, never with a server error.

The test walks the URL map (as ``tests/test_url_map.py`` does, with one existing object for
every URL argument), opens each admin page that has a form posting back to it, reads the form
as the browser would (inputs, their values, the selected options, text areas), and posts it
once per (field, value): the field changed to a hostile value, every other field as shown.
Values: blank spaces (``Optional`` strips them and then stops the checks), a NUL, a digit of
another script, a number past every range, a long text, markup. Any reply below 500 is fine
here (refusals are checked by the forms' own tests); a 500 names the form, the field and the
value."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import csrf_token
from tests.test_url_map import ALL_RULES, _url, objects  # noqa: F401 (the fixture)

HOSTILE = ["  ", "\x00", "\u0663", "99999999999999999999", "x" * 6000, "<b>1</b>", "-1"]
# Every page an administrator opens (admin pages, action plans, their own password); the
# forms found on them post to the page itself or to another route (a person's resend, a
# campaign's actions, the dependency matrix's cells).
FORM_PAGES = [
    r
    for r in ALL_RULES
    if "GET" in (r.methods or ())
    and (r.endpoint.startswith(("admin.", "actions.")) or r.endpoint == "auth.change_password_page")
    and not r.endpoint.endswith(("_export", "export", ".csv", "_body", "_pdf"))
]


class _Forms(HTMLParser):
    """The post forms of a page: (action, {name: [values]}) with the values a browser would
    send untouched (checked boxes and radios, selected options, text areas' text)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._fields: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((a.get("action", ""), self._fields))
        if self._fields is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self._fields.setdefault(name, [])
                return
            self._fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, False
            self._fields.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._fields[self._select].append(value)
                self._chosen = True
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select and self._fields is not None:
            if not self._chosen and self._first_option is not None:
                self._fields[self._select].append(self._first_option)
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._fields is not None:
            self._fields[self._textarea][-1] += data


# Forms the walk must reach (a page that stops showing its form fails here, not silently).
EXPECTED = {
    "admin.department_new",
    "admin.person_edit",
    "admin.service_new",
    "admin.user_new",
    "admin.campaign_new",
    "admin.schedule",
    "admin.interaction_new",
    "admin.questionnaire_detail",
    "admin.quiz_item",
    "admin.outbox_suppressed",
    "admin.erase",
    "actions.new",
    "auth.change_password_page",
}


def test_every_form_an_administrator_sees_survives_hostile_values(
    app,
    objects,  # noqa: F811
    make_user,
    sign_in,
) -> None:
    admin = sign_in(make_user("admin"))
    filled: set[str] = set()
    for rule in FORM_PAGES:
        url = _url(app, rule, objects)
        page = admin.get(url)
        assert page.status_code in (200, 302), (rule.endpoint, page.status_code)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue  # a download or a redirect: no form to fill
        parser = _Forms()
        parser.feed(page.get_data(as_text=True))
        for action, fields in parser.forms:
            target = action.split("#")[0] or url
            names = [n for n in fields if n != "csrf_token"]
            if not target.startswith("/") or target.startswith("/auth/sign-out") or not names:
                continue
            filled.add(rule.endpoint)
            for name in names:
                for value in HOSTILE:
                    data = {k: list(v) for k, v in fields.items() if k != "csrf_token"}
                    data[name] = [value]
                    data["csrf_token"] = [csrf_token(admin, url)]
                    reply = admin.post(target, data=data)
                    assert reply.status_code < 500, (rule.endpoint, target, name, value[:20])
    assert filled >= EXPECTED, sorted(EXPECTED - filled)
