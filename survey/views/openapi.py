"""The OpenAPI 3 description of ``/api/v1``. Tests run schemathesis against it, so it must say
exactly what the API does."""

from __future__ import annotations

from typing import Any

from flask import current_app


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _text(max_length: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description, **extra}


def _number() -> dict[str, Any]:
    return {"type": "number", "nullable": True}


def _integer() -> dict[str, Any]:
    return {"type": "integer", "nullable": True}


def _reason() -> dict[str, Any]:
    return {
        "type": "string",
        "nullable": True,
        "description": "Why the figure is null: no_data (none, or the quarter is not released "
        "yet: figures appear once the quarter has ended and its campaigns have closed), below_k "
        "(fewer than k distinct people), remainder (would reveal a small group), certain (so "
        "near an end of the scale that it would tell how a small group answered), "
        "below_comment_k, no_survey_component, no_baseline",
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


def scorecard_schemas() -> dict[str, Any]:
    """Schemas of ``GET /departments/{code}/scorecard``; figures on 0..100 unless named."""
    figure = {"$ref": "#/components/schemas/Figure"}
    iq = {"$ref": "#/components/schemas/IqFigure"}
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
        "Scorecard": _object(
            {
                "department": _object({"code": {"type": "string"}, "name": {"type": "string"}}),
                "quarter": {"type": "string"},
                "quarters": _array({"type": "string"}),
                "k": {"type": "integer"},
                "comment_k": {"type": "integer"},
                "weights": {"type": "object", "additionalProperties": {"type": "number"}},
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
                        "p_adjusted": {"type": "number"},
                        "components": _array({"type": "string"}),
                    },
                    nullable=True,
                ),
                "dimensions": _array(
                    _object(
                        {"code": {"type": "string"}, "value": figure, "organisation": _number()}
                    )
                ),
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
                            "post_interaction": {"type": "integer"},
                            "quarterly": {"type": "integer"},
                        }
                    )
                ),
                "surveys_sent": {"type": "integer"},
                "response_rate": _number(),
                "comments": _object(
                    {"visible": {"type": "boolean"}, "count": _integer(), "reason": _reason()}
                ),
                "perception_gap": _object(
                    {
                        "self_view": figure,
                        "customer_view": figure,
                        "gap": _number(),
                        "label": {"type": "string", "nullable": True},
                        "reason": _reason(),
                    }
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
                "`Authorization: Bearer <API key>` (keys are created by an administrator). "
                "Errors are JSON objects with `error`, `status` and, when one field is at "
                "fault, `field`."
            ),
        },
        "servers": [{"url": current_app.config["BASE_URL"] + "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/interactions": {
                "post": {
                    "operationId": "recordInteraction",
                    "summary": "Record a handled request",
                    "description": (
                        "Idempotent on `source` + `external_ref`: sending the same pair again "
                        "returns the interaction recorded first (status 200) and changes "
                        "nothing. Whether the requester is surveyed is decided later, under "
                        "the fatigue rules."
                    ),
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/InteractionIn"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Recorded",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Interaction"}
                                }
                            },
                        },
                        "200": {
                            "description": "Already recorded with this source and reference",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Interaction"}
                                }
                            },
                        },
                        "400": _error("The body is not JSON"),
                        "401": _error("Missing, unknown or revoked API key"),
                        "409": _error("A concurrent request with the same reference; retry"),
                        "413": _error("The body is too large"),
                        "415": _error("The body is not declared as JSON"),
                        "422": _error("A field is missing or invalid; `field` names it"),
                    },
                }
            },
            "/departments": {
                "get": {
                    "operationId": "listDepartments",
                    "summary": "Active departments and their codes",
                    "responses": {
                        "200": {
                            "description": "The departments",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/DepartmentList"}
                                }
                            },
                        },
                        "401": _error("Missing, unknown or revoked API key"),
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
                    ],
                    "responses": {
                        "200": {
                            "description": "The scorecard figures",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Scorecard"}
                                }
                            },
                        },
                        "400": _error("`quarter` is not a quarter like 2026Q1"),
                        "401": _error("Missing, unknown or revoked API key"),
                        "404": _error("No department with this code"),
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
                            254, "Email of the person who asked", format="email"
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
                    },
                },
                "Interaction": {
                    "type": "object",
                    "required": ["id", "created", "provider", "source", "external_ref", "survey"],
                    "properties": {
                        "id": {"type": "integer"},
                        "created": {"type": "boolean", "description": "False for a repeat"},
                        "provider": {"type": "string"},
                        "source": {"type": "string", "nullable": True},
                        "external_ref": {"type": "string", "nullable": True},
                        "survey": {"type": "string", "enum": ["pending", "invited", "skipped"]},
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
