"""The OpenAPI 3 description of ``/api/v1``. Tests run schemathesis against it, so it must say
exactly what the API does."""

from __future__ import annotations

from typing import Any

from flask import current_app

from analysis.scorecard_results import CHANGE_STATUSES
from survey.locales import LOCALES


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _too_many() -> dict[str, Any]:
    """The 429 of every keyed route (``extensions.limit_api_keys``)."""
    return {
        **_error(
            "Too many requests: the API key's budget a minute (`SURVEY_API_REQUESTS_PER_MINUTE`, "
            "default 3000) is spent, or this address sent 30 refused keys within a minute. "
            "Nothing was done; send it again after `Retry-After` seconds"
        ),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before sending again",
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    }


def _text(max_length: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


#: The language of names and sentences in an answer (``survey/views/api_language.py``).
LANG_PARAMETER: dict[str, Any] = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of names and sentences: en, it or fr (default: the best match of "
    "Accept-Language, else the organisation's default language)",
    "schema": {"type": "string", "enum": list(LOCALES)},
}


def _number() -> dict[str, Any]:
    return {"type": "number", "nullable": True}


def _integer() -> dict[str, Any]:
    return {"type": "integer", "nullable": True}


def _reason() -> dict[str, Any]:
    return {
        "type": "string",
        "nullable": True,
        "description": "Why the figure is null: no_data (the quarter is not released yet: "
        "figures appear once the quarter has ended, its campaigns have closed and at least k "
        "people answered about one department; or, for "
        "compliance, no requests), below_k (fewer than k distinct people, none included: "
        "nobody and a few read alike), remainder (would reveal a small group), one_sided (a "
        "share with fewer than k people on one of its sides: always below 2k people), certain "
        "(a mean so near an end of the scale that it would tell how a small group answered), "
        "below_comment_k, no_survey_component, withheld (an ISQ or IQ when neither T nor R can be "
        "shown: too few people, none included, or answers too alike; the components give "
        "their own reasons), no_baseline",
    }


def _object(properties: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
    }
    if nullable:
        schema["nullable"] = True
    return schema


def _array(items: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": items}
    if nullable:
        schema["nullable"] = True
    return schema


def _json(ref: str, description: str, **headers: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }
    if headers:
        answer["headers"] = headers
    return answer


NO_STORE = {
    "Cache-Control": {
        "description": "Always `no-store`: the figures must not be kept by caches",
        "schema": {"type": "string", "enum": ["no-store"]},
    }
}

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Optional. The first answer to a key is kept for the API key that sent it: a retry "
        "with the same body gets the same answer (header `Idempotent-Replayed: true`), a "
        "different body gets 409. Another API key never sees it. A key is kept for 24 hours by "
        "default (the operator may change it), then forgotten."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
}


def _write_responses(created: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "200": _json("Interaction", "Already known: its lifecycle was merged (or unchanged)"),
        "400": _error("The body is not JSON"),
        "401": _error("Missing, unknown or revoked API key"),
        "403": _error("The API key was not given the `interactions` scope"),
        "409": _error(
            "The reference belongs to another API key, the Idempotency-Key was used with "
            "another body, or a concurrent request; `field` names which"
        ),
        "413": _error("The body is too large"),
        "415": _error("The body is not declared as JSON"),
        "422": _error(
            "A field is missing or invalid (`field` names it), or the body nests arrays or "
            "objects deeper than 32 levels (`field` is `body`)"
        ),
        "429": _too_many(),
    }
    if created:
        answers["201"] = _json("Interaction", "Recorded")
    return answers


def _timestamp(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date-time", "nullable": True, "description": description}


def summary_schema() -> dict[str, Any]:
    """The ``summary`` of a scorecard (``survey/services/scorecard_summary.py``): choices
    among the figures of the same answer, never a new figure, and sentences in the
    request's language."""
    text = {"type": "string"}
    return {
        **_object(
            {
                "available": {
                    "type": "boolean",
                    "description": "False when the IQ is hidden: then only `reason` and "
                    "`texts` are set (not enough answers yet)",
                },
                "reason": _reason(),
                "iq": _number(),
                "standing": {
                    "type": "string",
                    "nullable": True,
                    "enum": ["above", "about", "below", None],
                    "description": "The IQ's 95% interval wholly above 100 (the baseline's "
                    "average department), including it, or wholly below it",
                },
                "trend": {
                    "type": "string",
                    "nullable": True,
                    "enum": ["rising", "falling", "flat", None],
                    "description": "The trend badge, from five quarters on",
                },
                "trend_quarters": _integer(),
                "weakest": _object(
                    {
                        "kind": {"type": "string", "enum": ["component", "dimension"]},
                        "key": {
                            "type": "string",
                            "description": "T, R or C for a component, the dimension's code",
                        },
                        "value": {"type": "number"},
                        "organisation": {"type": "number"},
                        "clearly_below": {
                            "type": "boolean",
                            "description": "Its 95% interval lies wholly below the "
                            "organisation's value",
                        },
                    },
                    nullable=True,
                ),
                "lowest_customer": _object(
                    {
                        "code": {"type": "string"},
                        "name": {"type": "string"},
                        "metric": {"type": "string", "enum": ["satisfaction", "relationship"]},
                        "value": {"type": "number"},
                    },
                    nullable=True,
                ),
                "previous_quarter": {"type": "string", "nullable": True},
                "change": _object(
                    {
                        "direction": {"type": "string", "enum": ["up", "down"]},
                        "isq_before": {"type": "number"},
                        "isq_after": {"type": "number"},
                    },
                    nullable=True,
                ),
                "texts": {
                    "type": "object",
                    "description": "Sentences in the request's language: `headline` always; "
                    "`interval`, `weakest`, `change` and `customer` (when a customer "
                    "department is named) with an IQ, `detail` without one",
                    "additionalProperties": text,
                },
            }
        ),
        "description": "What the scorecard means in a few sentences: the IQ in words, the "
        "part of the score furthest below the organisation and the customer department, among "
        "those shown, rating it lowest, and the flagged change since the previous quarter",
    }


def priorities_schema() -> dict[str, Any]:
    """What to work on (docs/scoring.md, "What to work on"): the key drivers (each quarterly
    dimension's share, in whole per cent, of what the dimensions explain of the overall
    answer, with its 95 % bootstrap interval) and up to three priorities."""
    share = {
        "share_percent": {"type": "integer"},
        "low_percent": _integer(),
        "high_percent": _integer(),
        "rank": {"type": "integer", "description": "1: the dimension customers weigh most"},
    }
    return _object(
        {
            "quarter": {"type": "string"},
            "basis": {
                "type": "string",
                "nullable": True,
                "enum": ["department", "organisation", None],
                "description": "Whose answers the drivers rest on: the department's customers "
                "(at least 30 people), else every provider's customers pooled, else none",
            },
            "people": {"type": "integer", "description": "Complete answers the drivers rest on"},
            "r2_percent": {
                **_integer(),
                "description": "Per cent of the overall answer's variance the dimensions explain",
            },
            "reason": {
                "type": "string",
                "nullable": True,
                "description": "Why there are no priorities: not_released, too_few (not enough "
                "complete answers), no_means (no dimension of the department is shown)",
            },
            "drivers": _array(_object({"dimension": {"type": "string"}, **share})),
            "items": _array(
                _object(
                    {
                        "dimension": {"type": "string"},
                        **share,
                        "mean": {"type": "number"},
                        "organisation_mean": _number(),
                        "below_organisation": {
                            **_number(),
                            "description": "Points below the organisation (negative: above)",
                        },
                        "practice": {
                            "type": "string",
                            "nullable": True,
                            "description": "The matching practice of the self-assessment quiz",
                        },
                    }
                ),
                nullable=False,
            ),
        }
    )


def scorecard_schemas() -> dict[str, Any]:
    """Schemas of ``GET /departments/{code}/scorecard``; figures on 0..100 unless named."""
    figure = {"$ref": "#/components/schemas/Figure"}
    # The self-view beside the customers' view: overall, and for each dimension and practice.
    self_and_customers = {
        "self_view": figure,
        "customer_view": figure,
        "gap": _number(),
        "label": {"type": "string", "nullable": True},
    }
    iq = {"$ref": "#/components/schemas/IqFigure"}
    compared = _object({"quarter": {"type": "string", "nullable": True}, "value": _number()})
    distribution = _object(
        {
            "edges_minutes": _array({"type": "integer"}),
            "counts": _array({"type": "integer"}),
            "median_minutes": _number(),
            "p90_minutes": _number(),
        },
        nullable=True,
    )
    return {
        "Figure": _object(
            {
                "value": _number(),
                "low": _number(),
                "high": _number(),
                "n": _integer(),
                "reason": _reason(),
            }
        ),
        "IqFigure": _object(
            {"value": _number(), "low": _number(), "high": _number(), "reason": _reason()}
        ),
        "Summary": summary_schema(),
        "Priorities": priorities_schema(),
        "Scorecard": _object(
            {
                "department": _object({"code": {"type": "string"}, "name": {"type": "string"}}),
                "quarter": {"type": "string"},
                "quarters": _array({"type": "string"}),
                "k": {"type": "integer"},
                "comment_k": {"type": "integer"},
                "weights": {"type": "object", "additionalProperties": {"type": "number"}},
                # The weights this quarter's ISQ used: 0 for a component the organisation
                # measured nowhere that quarter (it leaves the ISQ), the rest renormalised.
                "isq_weights": {"type": "object", "additionalProperties": {"type": "number"}},
                "isq_components": _array({"type": "string", "enum": ["T", "R", "C"]}),
                "isq_basis": {
                    "type": "string",
                    "nullable": True,
                    "description": "Why a component is left out of this quarter's ISQ "
                    "(null when none is).",
                },
                "baseline": _object(
                    {
                        "version": {"type": "string"},
                        "mu0": {"type": "number"},
                        "sigma0": {"type": "number"},
                        "quarters": _array({"type": "string"}),
                        "provisional": {"type": "boolean"},
                    },
                    nullable=True,
                ),
                "iq": iq,
                "isq": figure,
                "components": {
                    "type": "object",
                    "additionalProperties": _object(
                        {
                            "raw": _number(),
                            "value": _number(),
                            "low": _number(),
                            "high": _number(),
                            "n": _integer(),
                            "weight": {"type": "number"},
                            "reason": _reason(),
                        }
                    ),
                },
                "organisation": {"type": "object", "additionalProperties": _number()},
                "trend": _array(
                    _object(
                        {
                            "quarter": {"type": "string"},
                            "isq": figure,
                            "iq": iq,
                            "organisation_isq": _number(),
                        }
                    )
                ),
                "trend_marker": _object(
                    {
                        "direction": {"type": "string", "enum": ["rising", "falling", "flat"]},
                        "p": {"type": "number"},
                        "slope_per_quarter": {"type": "number"},
                        "quarters": {"type": "integer"},
                    },
                    nullable=True,
                ),
                "change": _object(
                    {
                        "quarter": {"type": "string"},
                        "previous": {"type": "string"},
                        "direction": {"type": "string", "enum": ["up", "down"]},
                        "isq_before": {"type": "number"},
                        "isq_after": {"type": "number"},
                        "delta": {"type": "number"},
                        "p_adjusted": {
                            "type": "number",
                            "description": "The level the Benjamini-Hochberg adjusted p-value "
                            "is below (0.05); the p-value itself is not published.",
                        },
                        "components": _array({"type": "string"}),
                    },
                    nullable=True,
                ),
                "change_test": {
                    **_object(
                        {
                            "status": {
                                "type": "string",
                                "enum": list(CHANGE_STATUSES),
                                "description": "`flagged`: a significant change (`change` "
                                "holds it); `not_significant`: tested, nothing significant; "
                                "`too_few_respondents`: not tested, as fewer than "
                                "`min_respondents` people answered in one of the two quarters "
                                "(or the ISQ is hidden in one); `no_previous_quarter`: not "
                                "tested, no earlier published quarter to compare with.",
                            },
                            "min_respondents": {
                                "type": "integer",
                                "description": "The people a component needs in each of the "
                                "two quarters to be tested for a change.",
                            },
                        }
                    ),
                    "description": "Whether the change since the previous published quarter "
                    "was tested, and why not when it was not.",
                },
                "dimensions": _array(
                    _object(
                        {"code": {"type": "string"}, "value": figure, "organisation": _number()}
                    )
                ),
                "priorities": {"$ref": "#/components/schemas/Priorities"},
                "customers": _array(
                    _object(
                        {
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                            "relationship": figure,
                            "satisfaction": figure,
                        }
                    )
                ),
                "compliance": _object(
                    {
                        "share": figure,
                        "organisation": _number(),
                        "interactions": {"type": "integer"},
                        "services": _array(_object({"name": {"type": "string"}, "share": figure})),
                        "first_response": distribution,
                        "resolution": distribution,
                        "peak_hours_utc": _array({"type": "integer"}, nullable=True),
                        "reason": _reason(),
                    }
                ),
                "responses": _array(
                    _object(
                        {
                            "quarter": {"type": "string"},
                            # null: fewer than k people gave those answers.
                            "post_interaction": _integer(),
                            "quarterly": _integer(),
                        }
                    )
                ),
                "surveys_sent": {"type": "integer"},
                "response_rate": _number(),
                "comments": _object(
                    {"visible": {"type": "boolean"}, "count": _integer(), "reason": _reason()}
                ),
                "summary": {"$ref": "#/components/schemas/Summary"},
                "perception_gap": _object(
                    {
                        **self_and_customers,
                        "reason": _reason(),
                        # Each dimension beside the quiz practice that teaches it; empty
                        # while the self-view is hidden.
                        "practices": _array(
                            _object(
                                {
                                    "dimension": {"type": "string"},
                                    "practice": {"type": "string"},
                                    **self_and_customers,
                                }
                            )
                        ),
                    }
                ),
                # The department's action plan; before and after are null unless the targeted
                # figure is shown in both quarters.
                "actions": _array(
                    _object(
                        {
                            "title": {"type": "string"},
                            "answers": _object(
                                {
                                    "kind": {
                                        "type": "string",
                                        "enum": ["dimension", "component", "customer"],
                                    },
                                    "code": {"type": "string"},
                                }
                            ),
                            "status": {
                                "type": "string",
                                "enum": ["planned", "in_progress", "done", "dropped"],
                            },
                            "owner": {"type": "string"},
                            "due_on": {"type": "string", "format": "date", "nullable": True},
                            "overdue": {"type": "boolean"},
                            "public_summary": {"type": "string"},
                            "before": compared,
                            "after": compared,
                        }
                    )
                ),
            }
        ),
    }


def openapi_document() -> dict[str, Any]:
    """The document, with the server URL taken from ``BASE_URL``."""
    timestamp = {"type": "string", "format": "date-time"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Service IQ API",
            "version": "1.0.0",
            "description": (
                "Report handled requests between departments so that requesters can be asked "
                "how it went, and read department figures. Authenticate with "
                "`Authorization: Bearer <API key>` (keys are created by an administrator, "
                "each with what it may do: `interactions` to report requests, `scorecards` "
                "to read departments and scorecards, `mail_reports` to post bounce reports; "
                "another route answers 403). "
                "Errors are JSON objects with `error`, `status` and, when one field is at "
                "fault, `field`. Requests are rate-limited per API key and, for refused keys, "
                "per client address: over a limit the answer is 429 with `Retry-After` "
                "(seconds). Answers that carry names (departments, services) and "
                "sentences (a scorecard's summary) are in one language: `?lang=` (en, it or "
                "fr) when given, else the best match of the `Accept-Language` header, else "
                "the organisation's default language; a name without a translation keeps its "
                "default text."
            ),
        },
        "servers": [{"url": current_app.config["BASE_URL"] + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/interactions": {
                "post": {
                    "operationId": "recordInteraction",
                    "summary": "Record a request or update its lifecycle",
                    "description": (
                        "Idempotent on `source` + `external_ref`, per API key: sending the "
                        "same pair again returns the interaction recorded first (status 200) "
                        "with its lifecycle times merged: an earlier `first_response_at` "
                        "replaces a later one (not after `resolved_at`), `resolved_at` is set "
                        "or moves forward (never backwards without a reopening), "
                        "`reopened_at` clears a resolution it follows, `cancelled_at` is final "
                        "and a cancelled request is never surveyed; provider, requester, "
                        "service and `opened_at` stay as first reported. Whether the requester "
                        "is surveyed is decided once the request is resolved, under the "
                        "fatigue rules."
                    ),
                    "parameters": [IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/InteractionIn"}
                            }
                        },
                    },
                    "responses": _write_responses(created=True),
                }
            },
            "/interactions/events": {
                "post": {
                    "operationId": "recordInteractionEvent",
                    "summary": "One lifecycle event of a request already reported",
                    "description": (
                        "`opened`, `first_response`, `resolved`, `reopened` or `cancelled` at "
                        "time `at`, for the request with this `source` + `external_ref` "
                        "reported with the same API key. Events are idempotent and may arrive "
                        "out of order (the rules are those of `POST /interactions`); "
                        "`changed` says whether this one changed anything. Reopening or "
                        "cancelling withdraws a survey whose email has not left yet."
                    ),
                    "parameters": [IDEMPOTENCY_KEY],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/InteractionEvent"}
                            }
                        },
                    },
                    "responses": _write_responses(created=False),
                }
            },
            "/webhooks/{mapping}": {
                "post": {
                    "operationId": "receiveWebhook",
                    "summary": "A ticketing tool's own webhook payload, read by a mapping",
                    "description": (
                        "`issue-tracker`: `issue.key`, `issue.fields.project.key` (provider), "
                        "`issue.fields.components[0].name` (service), "
                        "`issue.fields.reporter.emailAddress`, `issue.fields.created`, "
                        "`issue.fields.resolutiondate`, `issue.fields.status.statusCategory.key`"
                        " (`done` resolves), `issue.fields.resolution.name` (a cancellation "
                        "such as won't do or duplicate cancels), `timestamp` (epoch ms). "
                        "`helpdesk`: `ticket.id`, `ticket.group` (provider), `ticket.service`, "
                        "`ticket.requester.email`, `ticket.created_at`, `ticket.first_reply_at`"
                        ", `ticket.solved_at`, `ticket.status` (solved/closed resolve, "
                        "cancelled/deleted cancel, open after a resolution reopens), "
                        "`ticket.on_hold_seconds` (paused time), `occurred_at`. The result is "
                        "recorded as by `POST /interactions` with `source` set to the mapping's "
                        'name. See docs/operations.md, "Wiring a ticketing tool".'
                    ),
                    "parameters": [
                        {
                            "name": "mapping",
                            "in": "path",
                            "required": True,
                            "description": "The payload shape",
                            "schema": {"type": "string", "enum": ["issue-tracker", "helpdesk"]},
                        },
                        {
                            "name": "provider",
                            "in": "query",
                            "required": False,
                            "description": "Department code (overrides the payload's)",
                            "schema": {"type": "string", "maxLength": 20},
                        },
                        {
                            "name": "service",
                            "in": "query",
                            "required": False,
                            "description": "Service code (overrides the payload's)",
                            "schema": {"type": "string", "maxLength": 40},
                        },
                        IDEMPOTENCY_KEY,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "responses": {
                        **_write_responses(created=True),
                        "404": _error("No mapping with this name"),
                    },
                }
            },
            "/departments": {
                "get": {
                    "operationId": "listDepartments",
                    "summary": "Active departments and their codes",
                    "parameters": [LANG_PARAMETER],
                    "responses": {
                        "200": _json("DepartmentList", "The departments", **NO_STORE),
                        "400": _error("`lang` is not one of en, it, fr"),
                        "401": _error("Missing, unknown or revoked API key"),
                        "403": _error("The API key was not given the `scorecards` scope"),
                        "429": _too_many(),
                    },
                }
            },
            "/departments/{code}/scorecard": {
                "get": {
                    "operationId": "getDepartmentScorecard",
                    "summary": "A department's scorecard figures",
                    "description": (
                        "The figures of the department scorecard for one quarter: IQ and ISQ "
                        "with 95% intervals, the components T, R and C, trend, dimensions, "
                        "customer departments, service-standard compliance, response counts "
                        "and the perception gap. A figure resting on fewer than `k` "
                        "respondents (or that would let one be worked out) is `null` with a "
                        "`reason`. Comment texts are not served."
                    ),
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "description": "Department code",
                            "schema": {"type": "string", "minLength": 1, "maxLength": 20},
                        },
                        {
                            "name": "quarter",
                            "in": "query",
                            "required": False,
                            "description": "Quarter like 2026Q1 (default: the latest with answers)",
                            "schema": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"},
                        },
                        LANG_PARAMETER,
                    ],
                    "responses": {
                        "200": _json("Scorecard", "The scorecard figures", **NO_STORE),
                        "400": _error(
                            "`quarter` is not a quarter like 2026Q1, or `lang` is not one of "
                            "en, it, fr"
                        ),
                        "401": _error("Missing, unknown or revoked API key"),
                        "403": _error("The API key was not given the `scorecards` scope"),
                        "404": _error("No department with this code"),
                        "429": _too_many(),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "InteractionIn": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["provider", "requester_email", "opened_at"],
                    "properties": {
                        "provider": _text(
                            20, "Code of the department that handled the request", minLength=1
                        ),
                        "requester_email": _text(
                            254,
                            "Email of the person who asked: a person on the people list"
                            " (any case); another address is refused (422), and so is one"
                            " a mail header reads as another address (ann(x)@example.com)",
                            format="email",
                        ),
                        "service": _text(
                            40, "Code of the provider's service (optional)", nullable=True
                        ),
                        "source": _text(
                            40,
                            "Name of the reporting tool; required with external_ref",
                            nullable=True,
                        ),
                        "external_ref": _text(120, "The request's id in that tool", nullable=True),
                        "opened_at": {
                            **timestamp,
                            "description": "When the request was opened (with time zone)",
                        },
                        "first_response_at": {
                            **timestamp,
                            "nullable": True,
                            "description": "First answer to the requester",
                        },
                        "resolved_at": {
                            **timestamp,
                            "nullable": True,
                            "description": "When it was resolved",
                        },
                        "reopened_at": _timestamp(
                            "When it was reopened (after `resolved_at`: clears the resolution)"
                        ),
                        "cancelled_at": _timestamp("When it was cancelled (final; no survey)"),
                        "paused_seconds": {
                            "type": "integer",
                            "nullable": True,
                            "minimum": 0,
                            "maximum": 315360000,
                            "description": (
                                "Seconds spent in a paused state (waiting on the requester); "
                                "not counted toward the service standard; only grows"
                            ),
                        },
                    },
                },
                "InteractionEvent": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["source", "external_ref", "event", "at"],
                    "properties": {
                        "source": _text(40, "Name of the reporting tool", minLength=1),
                        "external_ref": _text(120, "The request's id in that tool", minLength=1),
                        "event": {
                            "type": "string",
                            "enum": [
                                "opened",
                                "first_response",
                                "resolved",
                                "reopened",
                                "cancelled",
                            ],
                        },
                        "at": {**timestamp, "description": "When it happened (with time zone)"},
                    },
                },
                "Interaction": {
                    "type": "object",
                    "required": [
                        "id",
                        "created",
                        "provider",
                        "source",
                        "external_ref",
                        "survey",
                        "state",
                        "opened_at",
                        "first_response_at",
                        "resolved_at",
                        "reopened_at",
                        "cancelled_at",
                        "paused_seconds",
                    ],
                    "properties": {
                        "id": {"type": "integer"},
                        "created": {"type": "boolean", "description": "False for a repeat"},
                        "provider": {"type": "string"},
                        "source": {"type": "string", "nullable": True},
                        "external_ref": {"type": "string", "nullable": True},
                        "survey": {
                            "type": "string",
                            "enum": ["pending", "invited", "skipped"],
                            "description": "The survey decision, without its reason (the "
                            "requests page shows it); a request resolved more than "
                            "SURVEY_LATE_REPORT_DAYS days (default 14) before the decision is "
                            "skipped: a back-fill is stored and counts toward compliance, "
                            "but surveys nobody",
                        },
                        "state": {"type": "string", "enum": ["open", "resolved", "cancelled"]},
                        "opened_at": timestamp,
                        "first_response_at": _timestamp("First answer to the requester"),
                        "resolved_at": _timestamp("Resolution (null while open)"),
                        "reopened_at": _timestamp("The last reopening"),
                        "cancelled_at": _timestamp("Cancellation"),
                        "paused_seconds": {"type": "integer"},
                        "changed": {
                            "type": "boolean",
                            "description": "Events only: whether this event changed anything",
                        },
                    },
                },
                "DepartmentList": {
                    "type": "object",
                    "required": ["departments"],
                    "properties": {
                        "departments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["code", "name", "parent"],
                                "properties": {
                                    "code": {"type": "string"},
                                    "name": {"type": "string"},
                                    "parent": {"type": "string", "nullable": True},
                                },
                            },
                        }
                    },
                },
                **scorecard_schemas(),
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {
                        "error": {"type": "string"},
                        "status": {"type": "integer"},
                        "field": {"type": "string"},
                    },
                },
            },
        },
    }
