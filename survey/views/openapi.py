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
