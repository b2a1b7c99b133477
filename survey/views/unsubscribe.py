"""One-click unsubscribe from survey mail (RFC 8058), the target of every survey message's
``List-Unsubscribe`` header.

Mail programs POST ``List-Unsubscribe=One-Click`` to the URL without cookies, so no CSRF token
can exist here: the POST is authorised by the unguessable token in the URL alone (128 bits,
stored as a hash, one per sent message). Opting out is the only thing it can do, and it is
recorded on the person (``services.fatigue.opt_out``), exactly like the "stop" link in the
body. A GET (a mail scanner, a person clicking) shows a confirmation page and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from survey.db import get_session
from survey.extensions import csrf, limit_link_pages
from survey.services.fatigue import opt_out
from survey.services.suppression import unsubscribe_person

bp = Blueprint("unsubscribe", __name__, url_prefix="/unsubscribe")


@bp.route("/<token>", methods=["GET", "POST"])
@limit_link_pages
@csrf.exempt
def unsubscribe(token: str) -> str | tuple[str, int]:
    from flask import request

    db = get_session()
    person = unsubscribe_person(db, token)
    if person is None:
        return render_template("unsubscribe.html", known=False, done=False), 404
    g.locale = person.locale
    if request.method == "POST":
        if not person.opted_out:
            opt_out(db, person)
            db.commit()
        return render_template("unsubscribe.html", known=True, done=True)
    return render_template("unsubscribe.html", known=True, done=person.opted_out)
