"""Admin: API keys for ticketing tools (list, create, revoke).

A new key is shown once, on the response to the form, and never again: only its hash is
stored. That page is marked ``no-store`` so the key stays out of caches and the history. A key
is given what it may do (``models.auth.API_SCOPES``), ticked on the form.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.admin import ApiKeyForm, api_scope_choices
from survey.db import get_session
from survey.models import ApiKey
from survey.services.accounts import create_api_key, revoke_api_key
from survey.services.audit import created, diff, snapshot
from survey.services.paging import page_arg, paginate
from survey.views.admin import bp
from survey.views.admin.common import audit, matches, per_page, search_arg

Page = str | tuple[str, int] | WerkzeugResponse


@bp.get("/api-keys")
def api_keys() -> str:
    db = get_session()
    query = search_arg()
    stmt = select(ApiKey)
    if query:
        stmt = stmt.where(matches(query, ApiKey.name, ApiKey.prefix))
    page = paginate(
        db,
        stmt.order_by(ApiKey.revoked_at.is_not(None), ApiKey.name),
        page_arg(request.args.get("page")),
        per_page(),
        query,
    )
    labels = {choice.value: choice.label for choice in api_scope_choices()}
    return render_template("admin/api_keys.html", page=page, scope_labels=labels)


@bp.route("/api-keys/new", methods=["GET", "POST"])
def api_key_new() -> Page:
    form = ApiKeyForm()
    if form.validate_on_submit():
        db = get_session()
        name = form.name.data or ""
        taken = _("An API key with this name already exists; choose another name.")
        if db.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None:
            form.name.errors = [*form.name.errors, taken]
        else:
            try:
                key, secret = create_api_key(db, name, form.scopes.data or [])
                audit("create", key, created(snapshot(key, "name", "prefix", "scopes")))
                db.commit()
            except IntegrityError:
                db.rollback()
                form.name.errors = [*form.name.errors, taken]
            else:
                response = make_response(
                    render_template("admin/api_key_created.html", key=key, secret=secret)
                )
                response.headers["Cache-Control"] = "no-store"
                return response
    status = 422 if request.method == "POST" else 200
    return render_template("admin/api_key_form.html", form=form), status


@bp.post("/api-keys/<int:key_id>/revoke")
def api_key_revoke(key_id: int) -> WerkzeugResponse:
    db = get_session()
    key = db.get(ApiKey, key_id)
    if key is None:
        abort(404)
    before = snapshot(key, "revoked_at")
    revoke_api_key(db, key)
    audit("revoke", key, diff(before, snapshot(key, "revoked_at")))
    db.commit()
    flash(_("API key %(name)s revoked: it no longer works.", name=key.name), "success")
    return redirect(url_for("admin.api_keys"))
