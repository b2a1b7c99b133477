"""Actions in the reader's language: the title and the public summary an administrator or a
manager translated into Italian and French, read back in the thank-you page, the quarterly
email, the department page and the action list (the default text when a translation is
missing), audited like every change; due days in the reader's format."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from babel.dates import format_date
from sqlalchemy import select

from survey.actions import services
from survey.actions.services import ActionInput, clean_translations
from survey.models import Action, AuditEntry, Department, Dependency, Person
from survey.services.questionnaires import install_default_questionnaires
from survey.services.refusals import OrgError
from tests.conftest import post_form
from tests.factories import quarterly_mail

pytestmark = pytest.mark.postgres

SUMMARY = "You told us laptops took too long; spare laptops now wait at the desk."
SUMMARY_IT = "Ci avete detto che i portatili arrivavano tardi: ora ce ne sono di scorta al banco."
SUMMARY_FR = "Vous disiez que les portables tardaient : il y en a de rechange au guichet."
DONE = "New starters get their accounts on day one."
DONE_FR = "Les nouveaux arrivants ont leurs comptes dès le premier jour."


def form(**kw: Any) -> dict[str, Any]:
    values = {
        "title": "Spare laptops at the desk",
        "target": "dimension:tools",
        "description": "",
        "owner_name": "Desk lead",
        "owner_user": "",
        "due_on": "2026-12-31",
        "status": "in_progress",
        "public_summary": SUMMARY,
        "title_it": "Portatili di scorta al banco",
        "title_fr": "",
        "public_summary_it": SUMMARY_IT,
        "public_summary_fr": SUMMARY_FR,
    }
    values.update(kw)
    return values


def test_clean_translations_keeps_known_non_blank_texts_and_refuses_long_ones() -> None:
    raw = {
        "public_summary": {"it": "  Testo  ", "fr": "   ", "de": "Text"},
        "title": {"fr": "Titre"},
        "owner_name": {"it": "ignored"},
    }
    assert clean_translations(raw) == {"public_summary": {"it": "Testo"}, "title": {"fr": "Titre"}}
    with pytest.raises(OrgError) as refused:
        clean_translations({"public_summary": {"fr": "x" * 281}})
    assert refused.value.field == "public_summary_fr"
    assert clean_translations({"title": {"it": "x" * 160}}) == {"title": {"it": "x" * 160}}
    with pytest.raises(OrgError):
        clean_translations({"title": {"it": "x" * 161}})


def test_translations_are_saved_audited_and_shown_in_the_readers_language(
    client, session, make_department, make_user, sign_in
) -> None:
    it = make_department("IT", "Information technology", names={"it": "Sistemi informativi"})
    sign_in(make_user("manager", department_id=it.id))
    for url in ("/actions/IT/new?lang=it", "/actions/?lang=it"):
        page = client.get(url).get_data(as_text=True)
        assert "Sistemi informativi" in page and "Information technology" not in page, url
    saved = post_form(client, "/actions/IT/new", form())
    assert saved.status_code == 302
    action = session.scalar(select(Action))
    assert action is not None
    assert action.translations == {
        "title": {"it": "Portatili di scorta al banco"},
        "public_summary": {"it": SUMMARY_IT, "fr": SUMMARY_FR},
    }
    entry = session.scalar(select(AuditEntry).where(AuditEntry.target_kind == "action"))
    assert entry is not None and entry.action == "create"
    assert entry.changes["translations.public_summary.it"] == [None, SUMMARY_IT]

    # The edit form shows them again; a changed translation is audited alone.
    edit = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert 'value="Portatili di scorta al banco"' in edit and SUMMARY_FR in edit
    assert (
        post_form(
            client, f"/actions/{action.id}/edit", form(public_summary_fr="Nouveau résumé.")
        ).status_code
        == 302
    )
    session.rollback()  # a new snapshot: the request committed in its own transaction
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.action == "edit"
    assert last.changes == {"translations.public_summary.fr": [SUMMARY_FR, "Nouveau résumé."]}

    due = date(2026, 12, 31)
    for lang, title in (
        ("it", "Portatili di scorta al banco"),
        ("fr", "Spare laptops at the desk"),  # no French title: the default one
        ("en", "Spare laptops at the desk"),
    ):
        shown_day = format_date(due, "medium", locale=lang)
        for url, heading in (
            (f"/actions/?lang={lang}", "actions-caption"),
            (f"/scorecards/IT?lang={lang}", 'id="actions-heading"'),
        ):
            page = client.get(url).get_data(as_text=True)
            section = page[page.index(heading) :]
            assert title in section, (url, title)
            assert shown_day in section and "2026-12-31" not in section, (url, shown_day)
    assert "Portatili" not in client.get("/actions/?lang=en").get_data(as_text=True)
    # The CSV keeps ISO days.
    assert ",2026-12-31," in client.get("/actions/export.csv").get_data(as_text=True)


def test_a_bad_translation_comes_back_with_every_answer_kept(
    client, session, make_department, make_user, sign_in
) -> None:
    make_department("IT")
    sign_in(make_user("admin"))
    bad = post_form(client, "/actions/IT/new", form(public_summary_it="y" * 300))
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'class="error"' in text
    assert "y" * 300 in text and SUMMARY_FR in text and SUMMARY in text
    assert 'value="Portatili di scorta al banco"' in text
    assert session.scalar(select(Action)) is None


@pytest.fixture
def world(session):
    it = Department(code="IT", name="Information Technology")
    hr = Department(code="HR", name="Human Resources")
    sales = Department(code="SALES", name="Sales")
    session.add_all([it, hr, sales])
    session.flush()
    session.add_all(
        [
            Dependency(customer_department_id=sales.id, provider_department_id=it.id),
            Dependency(customer_department_id=sales.id, provider_department_id=hr.id),
            Person(email="ada@example.com", name="Ada", department_id=sales.id),
            Person(email="bruno@example.com", name="Bruno", department_id=sales.id, locale="it"),
            Person(email="cleo@example.com", name="Cleo", department_id=sales.id, locale="fr"),
        ]
    )
    install_default_questionnaires(session)
    for department, summary, status, translations in (
        (it, SUMMARY, "in_progress", {"it": SUMMARY_IT, "fr": SUMMARY_FR}),
        (hr, DONE, "done", {"fr": DONE_FR}),  # no Italian: Italians read the default
    ):
        services.create_action(
            session,
            None,
            department,
            ActionInput(
                "t",
                "",
                "dimension:tools",
                "",
                None,
                None,
                status,
                summary,
                translations={"public_summary": translations},
            ),
        )
    session.commit()
    return {"ids": [it.id, hr.id], "sales": sales}


EXPECTED = {
    "en": ((SUMMARY, DONE), (SUMMARY_IT, SUMMARY_FR, DONE_FR)),
    "it": ((SUMMARY_IT, DONE), (SUMMARY, SUMMARY_FR, DONE_FR)),
    "fr": ((SUMMARY_FR, DONE_FR), (SUMMARY, SUMMARY_IT, DONE)),
}


def test_the_thank_you_page_reads_each_summary_in_the_readers_language(client, world) -> None:
    for lang, (shown, hidden) in EXPECTED.items():
        page = client.get("/r/thanks", query_string={"lang": lang, "d": world["ids"]})
        text = page.get_data(as_text=True)
        assert all(s.replace("'", "&#39;") in text for s in shown), lang
        assert not any(h.replace("'", "&#39;") in text for h in hidden), lang


def test_the_quarterly_email_reads_each_summary_in_the_persons_language(
    app, session, world
) -> None:
    mail = {
        address.split("@")[0]: m
        for address, m in quarterly_mail(app, session, world["sales"]).items()
    }
    for name, lang in (("ada", "en"), ("bruno", "it"), ("cleo", "fr")):
        shown, hidden = EXPECTED[lang]
        message = next(m for k, m in mail.items() if name in k)
        assert all(s in message.body_text for s in shown), lang
        assert not any(h in message.body_text for h in hidden), lang
        html = message.body_html.replace("&#39;", "'")
        assert all(s in html for s in shown), lang
        assert not any(h in html for h in hidden), lang


def test_every_public_demo_summary_is_written_in_italian_and_french() -> None:
    from survey.demo.actions import ACTIONS

    for spec in ACTIONS:
        titles, summaries = dict(spec.titles), dict(spec.summaries)
        assert set(titles) == {"it", "fr"} and all(0 < len(t) <= 160 for t in titles.values())
        if spec.public_summary:
            assert set(summaries) == {"it", "fr"}, spec.title
            assert all(0 < len(s) <= 280 for s in summaries.values())
            assert all(s != spec.public_summary for s in summaries.values())
        else:
            assert not summaries  # an internal action says nothing in any language


def test_the_pdf_title_page_names_actions_and_days_in_the_readers_language(
    app, session, make_department
) -> None:
    from analysis.scorecard_results import Settings
    from survey.actions.scorecard import report_lines
    from survey.scorecards.services.scorecards import build_scorecard

    it = make_department("IT", "Information technology")
    services.create_action(
        session,
        None,
        it,
        ActionInput(
            "Spare laptops",
            "",
            "dimension:tools",
            "",
            None,
            date(2026, 12, 31),
            "planned",
            "",
            translations={"title": {"it": "Portatili di scorta"}},
        ),
    )
    session.commit()
    for lang, title in (("it", "Portatili di scorta"), ("fr", "Spare laptops")):
        with app.test_request_context(f"/?lang={lang}"):
            card, _problem = build_scorecard(session, it, "2026Q1", Settings())
            (line,) = report_lines(session, it, card, Settings())["actions"]
        assert line.startswith(title + " · "), line
        assert format_date(date(2026, 12, 31), "medium", locale=lang) in line
        assert "2026-12-31" not in line


def test_a_customer_department_is_named_in_the_readers_language(
    client, session, make_department, make_user, sign_in
) -> None:
    """The action form offered "Customer department: Finance (FIN)" on an Italian page whose
    scorecards say "Finanza", and the action list named it so too."""
    it = make_department("IT", "Information technology", names={"it": "Sistemi informativi"})
    make_department("FIN", "Finance", names={"it": "Finanza", "fr": "Finances"})
    sign_in(make_user("manager", department_id=it.id))
    page = client.get("/actions/IT/new?lang=it").get_data(as_text=True)
    assert "Reparto cliente: Finanza (FIN)" in page and "Finance (FIN)" not in page
    fin = session.scalar(select(Department).where(Department.code == "FIN"))
    saved = post_form(client, "/actions/IT/new", form(target=f"customer:{fin.id}"))
    assert saved.status_code == 302
    listing = client.get("/actions/?lang=fr").get_data(as_text=True)
    assert "Finances" in listing and "Finance<" not in listing and "Finance " not in listing
