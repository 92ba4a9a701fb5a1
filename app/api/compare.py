"""``/api/v1/compare?entries=a,b,c``: aligned rows, differences and winners."""

from __future__ import annotations

from flask import request

from ..domain.compare import DEFAULT_SYSTEM, SYSTEMS
from ..services import wiki
from .errors import ApiError
from .http import Resource, conditional, etag_for, json_response, no_query_args
from .representations import comparison_json

__all__ = ["CompareView"]

TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")


class CompareView(Resource):
    """A comparison of 2–6 entries (slugs or ids, in any order)."""

    endpoint = "compare"

    def get(self):
        """Rows in the canonical order of the entries; ``only_differences=true`` filters.

        ``units=metric|imperial`` shows every number of a row in one unit of that system
        (``default``: the definition's own unit).
        """
        no_query_args("entries", "only_differences", "units")
        raw = request.args.getlist("entries")
        if len(raw) != 1 or not raw[0].strip():
            raise ApiError(400, "Name the entries to compare: ?entries=slug-a,slug-b.",
                           errors={"entries": "Give 2 to 6 entry slugs separated by commas."})
        flag = request.args.get("only_differences", "false").lower()
        if flag not in TRUE + FALSE:
            raise ApiError(400, "only_differences must be true or false.",
                           errors={"only_differences": "Use true or false."})
        units = request.args.get("units", DEFAULT_SYSTEM)
        if units not in SYSTEMS:
            raise ApiError(400, f"units must be one of {', '.join(SYSTEMS)}.",
                           errors={"units": f"Use one of {', '.join(SYSTEMS)}."})
        slugs = [slug.strip() for slug in raw[0].split(",")]
        if not all(slugs):
            raise ApiError(400, "An entry slug is empty: separate slugs by single commas.",
                           errors={"entries": "Give 2 to 6 entry slugs separated by commas."})
        # The API's columns come in the one canonical order (sorted slugs); a slug named
        # twice is the service's refusal (400, "Compare each entry only once.").
        comparison = wiki().compare(sorted(slugs), units=units)
        if flag in TRUE:
            comparison = comparison.only_differences()
        body = comparison_json(comparison)
        response = json_response(body)
        return conditional(response, etag_for("compare", response.get_data()))
