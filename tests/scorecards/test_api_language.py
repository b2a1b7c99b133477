"""The API names departments and services in the requested language: ``?lang=`` first, then
the ``Accept-Language`` header, then the organisation's default language; an unknown
``lang`` is a 400 naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.scorecards.conftest import NAMED_QUARTER, Org

Q = NAMED_QUARTER


def _get(client, org: Org, path: str, language: str | None = None) -> Any:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {org.api_key}"}
    if language is not None:
        headers["Accept-Language"] = language
    return client.get(path, headers=headers)


def _names(client, org: Org, query: str = "", language: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = _get(client, org, f"/api/v1/departments{query}", language)
    assert response.status_code == 200
    return {d["code"]: d["name"] for d in response.get_json()["departments"]}


def test_department_list_follows_lang_then_the_header(client, named_org: Org) -> None:
    assert _names(client, named_org)["IT"] == "Information Technology"  # the default
    assert _names(client, named_org, "?lang=it")["IT"] == "Sistemi informativi"
    assert _names(client, named_org, "?lang=IT")["IT"] == "Sistemi informativi"
    assert _names(client, named_org, language="fr-CH, it;q=0.5")["IT"] == "Informatique"
    # ?lang= wins over the header; an untranslated name keeps its default text.
    names = _names(client, named_org, "?lang=fr", language="it")
    assert names["IT"] == "Informatique" and names["SALES"] == named_org.departments["SALES"].name
    # A header naming no language the service speaks: the default language.
    assert _names(client, named_org, language="de-DE")["IT"] == "Information Technology"


def test_scorecard_names_follow_the_requested_language(client, named_org: Org) -> None:
    path = f"/api/v1/departments/IT/scorecard?quarter={Q}"
    english = _get(client, named_org, path).get_json()
    assert english["department"]["name"] == "Information Technology"
    italian = _get(client, named_org, path + "&lang=it").get_json()
    assert italian["department"]["name"] == "Sistemi informativi"
    by_header = _get(client, named_org, path, "it-IT").get_json()
    assert by_header["department"]["name"] == "Sistemi informativi"
    assert by_header == italian
    services = [s["name"] for s in italian["compliance"]["services"]]
    assert "Assistenza IT" in services, italian["compliance"]
    customers = [c["name"] for c in italian["customers"]]
    assert customers and all(name == "Vendite" for name in customers)
    # The summary's sentences are written in the same language.
    assert italian["summary"]["texts"] != english["summary"]["texts"]
    # The figures do not depend on the language.
    assert italian["iq"] == english["iq"] and italian["isq"] == english["isq"]


@pytest.mark.parametrize("path", ["/api/v1/departments", "/api/v1/departments/IT/scorecard"])
@pytest.mark.parametrize("bad", ["de", "xx", "", "it-IT"])
def test_an_unknown_lang_is_a_clear_400(client, named_org: Org, path: str, bad: str) -> None:
    response = _get(client, named_org, f"{path}?lang={bad}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["field"] == "lang" and body["status"] == 400 and "en, it, fr" in body["error"]


def test_openapi_documents_the_rule(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "Accept-Language" in doc["info"]["description"]
    for path in ("/departments", "/departments/{code}/scorecard"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        assert params["lang"]["schema"]["enum"] == ["en", "it", "fr"]
        assert "400" in doc["paths"][path]["get"]["responses"]
