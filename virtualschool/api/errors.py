"""Error bodies the API answers with: {"detail": "...", "errors": {field: [messages]}}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

INVALID_DETAIL = "The request has errors. Correct the fields listed in 'errors' and send it again."
UNAUTHORISED_DETAIL = (
    "Authentication required. Send a valid, unrevoked API token in the header 'Authorization: Bearer <token>'."
)
# Request-part names and the body parameter name Ninja puts in front of a field's name.
_LOCATION_PREFIXES = frozenset({"body", "query", "path", "header", "cookie", "form", "payload", "filters", "page"})


class NotFound(Exception):
    """An unknown id or a record out of the user's scope: the answer is the same, and names nothing."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(what)


class InvalidInput(Exception):
    """Input that cannot be saved, with messages by API field name."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {field: list(messages) for field, messages in errors.items()}
        super().__init__(self.errors)


def field_errors(exc: DjangoValidationError, aliases: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """A Django ValidationError's messages keyed by the API's field names (model names renamed by `aliases`)."""
    aliases = aliases or {}
    raw = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    errors: dict[str, list[str]] = {}
    for name, messages in raw.items():
        errors.setdefault(aliases.get(name, name), []).extend(messages)
    return errors


_TEXT_FIELD_TYPES = frozenset({"CharField", "TextField", "EmailField"})


def clear_nulls(model: type[models.Model], values: dict[str, Any], aliases: Mapping[str, str] | None = None) -> None:
    """A null clears a text field (stored as ""); a null for any other field that needs a value is a field error."""
    aliases = aliases or {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if value is not None:
            continue
        field = model._meta.get_field(name)
        if field.get_internal_type() in _TEXT_FIELD_TYPES and not field.null:
            values[name] = ""
        elif not field.null:
            errors[aliases.get(name, name)] = ["This field cannot be empty: leave it out to keep its value."]
    if errors:
        raise InvalidInput(errors)


def _ninja_field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _LOCATION_PREFIXES:
        parts.pop(0)
    return ".".join(parts) or NON_FIELD_ERRORS


def _response(api: NinjaAPI, request: HttpRequest, status: int, detail: str, errors: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def install(api: NinjaAPI) -> None:
    """Replace Ninja's default error bodies with ones that say what to fix."""

    @api.exception_handler(AuthenticationError)
    def unauthorised(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _response(api, request, 401, UNAUTHORISED_DETAIL)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            message = str(error.get("msg", "Invalid value"))
            if error.get("type") == "missing":
                message = "This field is required."
            errors.setdefault(_ninja_field_name(error.get("loc", ())), []).append(message)
        return _response(api, request, 422, INVALID_DETAIL, errors)

    @api.exception_handler(InvalidInput)
    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return _response(api, request, 422, INVALID_DETAIL, exc.errors)

    @api.exception_handler(DjangoValidationError)
    def invalid_record(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return _response(api, request, 422, INVALID_DETAIL, field_errors(exc))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _response(api, request, 403, str(exc) or "You do not have permission to do that.")

    @api.exception_handler(NotFound)
    def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return _response(api, request, 404, f"No {exc.what} was found with that identifier.")

    @api.exception_handler(ObjectDoesNotExist)
    def does_not_exist(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return _response(api, request, 404, "Nothing was found with that identifier.")
