"""``/api/v1/openapi.json``: the OpenAPI 3.1 description of the API."""

from __future__ import annotations

from .http import Resource, json_response
from .openapi_doc import build_document

__all__ = ["OpenApiView"]


class OpenApiView(Resource):
    """The API's own description, generated from one module."""

    endpoint = "openapi"

    def get(self):
        """The OpenAPI 3.1 document."""
        return json_response(build_document())
