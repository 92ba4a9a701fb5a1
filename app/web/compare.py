"""The comparison pages: the compare box, side-by-side comparisons, exports, autocomplete.

``/compare?q=iPhone 15 vs Pixel 8`` resolves the names a person typed and redirects to
``/compare/iphone-15-vs-google-pixel-8``, the columns in the order typed; names that
match nothing get a page with suggestions, never an error page.

Columns keep the reader's order (an added entry goes last). Every order of one set of
entries is the same comparison: its page names the canonical address (the slugs sorted)
in ``<link rel="canonical">`` rather than redirecting, which would lose the order. A
repeated entry redirects to the address without the repeat.

Numbers are shown in the reader's unit system: ``?units=metric|imperial|default``, which
a cookie then remembers (``pkyx_units``; nginx's page cache keys on it).
"""

from __future__ import annotations

import csv
import io
import re
from threading import Lock

from cachetools import LRUCache
from flask import (
    Blueprint,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from ..domain.compare import (
    DEFAULT_SYSTEM,
    MAX_ENTRIES,
    MIN_ENTRIES,
    SYSTEMS,
    Comparison,
    canonical_order,
    comparison_slug,
    distinct,
    parse_comparison_slug,
)
from ..domain.entries import SLUG_MAX
from ..domain.errors import InvalidValue, NotFound
from ..services import names as names_service
from ..services import reads, wiki
from ..services.names import NAME_SEPARATOR, Resolution, split_names
from .filters import section_label
from .values_html import compare_rows_html

bp = Blueprint("compare", __name__)

#: The longest compare box text read.
MAX_QUERY = 300
#: The longest comparison address: six slugs of the longest kind joined by "-vs-" (500).
MAX_SPEC = MAX_ENTRIES * SLUG_MAX + (MAX_ENTRIES - 1) * len("-vs-")
#: Shown in the sticky column headers, so left out of the table body.
HEADER_IMAGE_KEY = "image"
#: The table rows of recently shown comparisons, by the comparison (the service hands out one
#: object per entry versions, definitions, units and language) and the "only differences"
#: switch: the same popular page is drawn again and again.
_ROWS: LRUCache = LRUCache(256)
_ROWS_LOCK = Lock()
#: What makes a spreadsheet read a cell as a formula, at its start or at the start of any
#: part after a "," or ";" (the separator of many locales' spreadsheets).
CSV_UNSAFE_START = ("=", "+", "-", "@", "\t", "\r")
CSV_PARTS = re.compile(r"[,;]")
#: The cookie that remembers the reader's unit system, and for how long.
UNITS_COOKIE, ONE_YEAR = "pkyx_units", 365 * 24 * 3600


def compare_url(slugs: list[str], **args) -> str:
    """The canonical address of the comparison of ``slugs``."""
    return url_for("compare.show", spec=comparison_slug(canonical_order(slugs)), **args)


def ordered_url(slugs: list[str], **args) -> str:
    """The address of the comparison of ``slugs`` with the columns in this order."""
    return url_for("compare.show", spec=comparison_slug(distinct(slugs)), **args)


def _shown(resolutions: list[Resolution]) -> list[dict]:
    """The resolutions as the page lists them: each suggestion linked to the comparison it
    would make with the other names."""
    shown = []
    for index, resolution in enumerate(resolutions):
        others = [r.entry or (r.suggestions[0] if r.suggestions else None)
                  for i, r in enumerate(resolutions) if i != index]
        other_slugs = [doc["slug"] for doc in others if doc is not None]
        links = []
        for suggestion in resolution.suggestions:
            slugs = canonical_order(other_slugs + [suggestion["slug"]])
            if MIN_ENTRIES <= len(slugs) <= MAX_ENTRIES:
                links.append((suggestion, compare_url(slugs)))
        shown.append({"name": resolution.name, "entry": resolution.entry,
                      "suggestions": resolution.suggestions, "links": links})
    return shown


def popular_comparisons(limit: int = 8) -> list[dict]:
    """The most viewed comparisons, with their entries' titles."""
    read = reads()
    docs = read.popular_comparisons(limit)
    found = read.entries_by_slugs({slug for doc in docs for slug in doc.get("slugs", [])})
    return [{"url": compare_url(doc["slugs"]), "titles": [found[s]["title"] for s in doc["slugs"]]}
            for doc in docs
            if MIN_ENTRIES <= len(doc.get("slugs", [])) and all(s in found for s in doc["slugs"])]


def _query_page(q: str = "", *, message: str = "", resolutions: list[Resolution] = (),
                status: int = 200):
    """The compare box page: a message, unresolved names with suggestions, popular ones."""
    html = render_template("compare/index.html", q=q, message=message,
                           resolutions=list(resolutions), popular=popular_comparisons(),
                           min_entries=MIN_ENTRIES, max_entries=MAX_ENTRIES)
    return html, status


# -- pages ----------------------------------------------------------------------------


@bp.get("/compare")
def from_query():
    """Turn "A vs B" (or "A pk B", up to six names) into the canonical comparison."""
    q = request.args.get("q", "")[:MAX_QUERY].strip()
    typed = split_names(q)
    if len(typed) < MIN_ENTRIES:
        message = _("Name at least two things, like “iPhone 15 vs Pixel 8”.") if q else ""
        return _query_page(q, message=message)
    if len(typed) > MAX_ENTRIES:
        return _query_page(q, message=_("A comparison shows at most %(n)d entries.",
                                        n=MAX_ENTRIES))
    resolutions = [names_service().resolve(name) for name in typed]
    if all(r.entry is not None for r in resolutions):
        slugs = distinct(r.entry["slug"] for r in resolutions)
        if len(slugs) < MIN_ENTRIES:
            return _query_page(q, message=_("These names are all the same entry; "
                                            "name two different ones."))
        return redirect(ordered_url(slugs), 302)
    return _query_page(q, resolutions=_shown(resolutions),
                       message=_("We could not find everything you asked for."))


@bp.get("/compare/<path:spec>")
def show(spec: str):
    """The side-by-side comparison of 2–6 entries, columns in the order of the address."""
    slugs, problem = _slugs_of(spec)
    if problem:
        return problem
    if slugs != parse_comparison_slug(spec):
        return redirect(ordered_url(slugs, **_kept_args()), 301)
    units = _units()
    try:
        comparison = wiki().compare(slugs, count_view=True, units=units)
    except NotFound:
        return _missing_page(slugs)
    only = request.args.get("only") == "differences"
    spec = comparison_slug(slugs)
    page_url = url_for("compare.show", spec=spec)
    groups = _table_groups(comparison.only_differences() if only else comparison)
    html = render_template(
        "compare/show.html",
        comparison=comparison,
        groups=groups,
        rows_html=_rows_html(comparison, only, groups),
        only=only,
        spec=spec,
        page_url=page_url,
        canonical_url=compare_url(slugs, _external=True),
        columns=_columns(comparison),
        add_value=_add_value(comparison),
        can_add=len(slugs) < MAX_ENTRIES,
        max_entries=MAX_ENTRIES,
        units=units,
        unit_links=_unit_links(page_url, units, only),
    )
    return _remember_units(make_response(html))


@bp.get("/compare/<path:spec>.csv")
def export_csv(spec: str):
    """The comparison as CSV for spreadsheets: a row per attribute, a column per entry.

    Numbers are plain numbers in the row's unit, named in the Unit column; ratings are
    numbers of stars, yes/no is true/false, lists are joined with "; "; missing is empty.
    """
    comparison, problem = _comparison_for_export(spec)
    if problem:
        return problem
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([_("Section"), _("Attribute"), _("Unit")]
                    + [_csv_cell(entry["title"]) for entry in comparison.entries])
    for group in comparison.groups:
        for row in group.rows:
            writer.writerow([_csv_cell(group.name), _csv_cell(row.label),
                             _csv_cell(row.display_unit or "")]
                            + [_csv_value(row.type, cell) for cell in row.cells])
    response = make_response("\ufeff" + out.getvalue())  # BOM: spreadsheets then read UTF-8
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="pkyx-{comparison_slug(_slugs(comparison))}.csv"')
    return response


@bp.get("/compare/<path:spec>.json")
def export_json(spec: str):
    """The comparison in the API's shape, columns in the order of the address."""
    comparison, problem = _comparison_for_export(spec)
    if problem:
        return problem
    data = comparison.to_dict()
    slugs = _slugs(comparison)
    for entry in data["entries"]:
        entry["_links"] = {"self": {"href": url_for("api.entry", ident=entry["slug"])}}
    data["_links"] = {
        "self": {"href": url_for("api.compare") + "?entries=" + ",".join(slugs)},
        "html": {"href": ordered_url(slugs)},
    }
    return jsonify(data)


@bp.get("/suggest")
def suggest():
    """Titles starting with the last name typed ("A vs Pi" → "Pi…"), for autocomplete."""
    q = request.args.get("q", "")[:MAX_QUERY]
    parts = NAME_SEPARATOR.split(q)
    last = parts[-1].strip() if parts else ""
    docs = names_service().suggest(last) if last else []
    return jsonify([{"slug": doc["slug"], "title": doc["title"],
                     "category": doc.get("category")} for doc in docs])


# -- helpers --------------------------------------------------------------------------


def _slugs_of(spec: str):
    """The slugs of an address (in its order, each once), or a 400 page when it cannot be one."""
    if len(spec) > MAX_SPEC:
        message = _("A comparison address is at most %(length)d characters long: %(min)d to "
                    "%(max)d entry slugs, like /compare/a-vs-b.", length=MAX_SPEC,
                    min=MIN_ENTRIES, max=MAX_ENTRIES)
        return None, _query_page(message=message, status=400)
    try:
        slugs = distinct(parse_comparison_slug(spec))
    except InvalidValue:
        slugs = []
    if not MIN_ENTRIES <= len(slugs) <= MAX_ENTRIES:
        message = _("A comparison shows %(min)d to %(max)d different entries, "
                    "like /compare/a-vs-b.", min=MIN_ENTRIES, max=MAX_ENTRIES)
        return None, _query_page(message=message, status=400)
    return slugs, None


def _missing_page(slugs: list[str]):
    """The 404 page naming the slugs that are not entries, with suggestions."""
    resolutions = names_service().resolve_slugs(slugs)
    return _query_page(" vs ".join(_typed(r) for r in resolutions),
                       resolutions=_shown(resolutions),
                       message=_("Some of these entries do not exist."), status=404)


def _typed(resolution: Resolution) -> str:
    """How a name is written back into the compare box."""
    return resolution.entry["title"] if resolution.entry else resolution.name


def _comparison_for_export(spec: str) -> tuple[Comparison | None, object]:
    """The comparison an export address names (any order), or the page saying why not."""
    slugs, problem = _slugs_of(spec)
    if problem:
        return None, problem
    try:
        return wiki().compare(slugs, units=_units()), None
    except NotFound:
        return None, _missing_page(slugs)


def _kept_args() -> dict:
    """Query arguments that survive a redirect to the address without a repeated entry."""
    args = {"only": "differences"} if request.args.get("only") == "differences" else {}
    if request.args.get("units") in SYSTEMS:
        args["units"] = request.args["units"]
    return args


def _units() -> str:
    """The reader's unit system: ?units=, then the cookie, then each attribute's own unit."""
    for chosen in (request.args.get("units"), request.cookies.get(UNITS_COOKIE)):
        if chosen in SYSTEMS:
            return chosen
    return DEFAULT_SYSTEM


def _remember_units(response):
    """Keep a unit system chosen with ?units= in the cookie (the default clears it)."""
    chosen = request.args.get("units")
    if chosen == DEFAULT_SYSTEM:
        if UNITS_COOKIE in request.cookies:
            response.delete_cookie(UNITS_COOKIE, samesite="Lax")
    elif chosen in SYSTEMS and request.cookies.get(UNITS_COOKIE) != chosen:
        response.set_cookie(UNITS_COOKIE, chosen, max_age=ONE_YEAR, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
    return response


def _unit_links(page_url: str, current: str, only: bool) -> list[dict]:
    """The unit switch: one link per system (to this page), the current one marked."""
    names = {"default": _("Default"), "metric": _("Metric"), "imperial": _("Imperial")}
    kept = "only=differences&" if only else ""
    return [{"system": system, "name": names[system], "current": system == current,
             "url": f"{page_url}?{kept}units={system}"} for system in SYSTEMS]


def _slugs(comparison: Comparison) -> list[str]:
    return [entry["slug"] for entry in comparison.entries]


def _columns(comparison: Comparison) -> list[dict]:
    """One column header per entry: title, image, and the comparison without it."""
    slugs = _slugs(comparison)
    columns = []
    for entry in comparison.entries:
        image = (entry.get("attributes") or {}).get(HEADER_IMAGE_KEY) or {}
        others = [slug for slug in slugs if slug != entry["slug"]]
        columns.append({
            "entry": entry,
            "image": image.get("value") if isinstance(image.get("value"), str) else None,
            "remove_url": ordered_url(others) if len(others) >= MIN_ENTRIES else None,
        })
    return columns


def _table_groups(comparison: Comparison) -> list[dict]:
    """Groups and rows for the table (the image row is in the column headers)."""
    groups = []
    for group in comparison.groups:
        rows = [row for row in group.rows if row.key != HEADER_IMAGE_KEY]
        if rows:
            groups.append({"name": group.name, "rows": rows,
                           "differs": any(row.differs for row in rows)})
    return groups


def _rows_html(comparison: Comparison, only: bool, groups: list[dict]):
    """The table's sections as HTML, drawn once per comparison object, switch and section
    names (a section's Chinese name may come from an attribute outside the comparison)."""
    key = (id(comparison), only, tuple(section_label(group["name"]) for group in groups))
    with _ROWS_LOCK:
        kept = _ROWS.get(key)
    if kept is not None and kept[0] is comparison:  # an id is unique only while it lives
        return kept[1]
    html = compare_rows_html(groups, len(comparison.entries))
    with _ROWS_LOCK:
        _ROWS[key] = (comparison, html)
    return html


def _add_value(comparison: Comparison) -> str:
    """The add-entry box's start: the current entries joined by " vs ", then the new one."""
    names = []
    for entry in comparison.entries:
        title = entry.get("title") or ""
        names.append(title if split_names(title) == [title.strip()] else entry["slug"])
    return " vs ".join(names) + " vs "


def _csv_value(kind: str, cell) -> object:
    """One entry's value for a spreadsheet: a number, true/false, "a; b", or text."""
    if cell.missing:
        return ""
    value = cell.stored["value"]
    if kind == "number":
        return cell.number  # a real number: never a formula, "-5" stays a number
    if kind == "rating":
        return value
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "list":
        return _csv_cell("; ".join(value))
    return _csv_cell(cell.text)


def _csv_cell(text: object) -> str:
    """A CSV cell that no spreadsheet runs as a formula (the writer quotes every text cell).

    A leading apostrophe makes a spreadsheet show the text as it is; it is added when the
    cell, or any ``,``/``;``-separated part of it, starts like a formula, so ``List;=1+1``
    stays text in a spreadsheet that splits cells at ";" and ignores the quotes.
    """
    text = "" if text is None else str(text)
    if any(part.lstrip(" ").startswith(CSV_UNSAFE_START) for part in CSV_PARTS.split(text)):
        return "'" + text
    return text
