"""Home, listings (explore, category, search), random entry, recent changes, health, media."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..domain.entries import search_words
from ..domain.errors import NotFound
from ..domain.paging import last_page, read_number, whole_number
from ..extensions import limiter
from ..files import file_response
from ..health import check_indexes, check_store
from ..problems import RETRY_AFTER_SECONDS, problem
from ..request_ids import request_id
from ..services import categories, reads, wiki

__all__ = ["bp", "Page", "page_number", "entries_by_id", "PER_PAGE"]

bp = Blueprint("main", __name__)

PER_PAGE = 24
#: The sort orders a listing offers: query value → label (the first is the default).
SORT_CHOICES = {"title": _l("Title A–Z"), "-title": _l("Title Z–A"),
                "updated": _l("Recently updated")}


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items and what the pagination links need."""

    items: list
    number: int
    per_page: int
    total: int | None = None  # None when only "is there a next page" is known
    more: bool = False

    @property
    def pages(self) -> int:
        """How many pages can be shown (at least one; no deeper than the paging limit)."""
        if self.total is None:
            return self.number + (1 if self.more else 0)
        return min(max(1, math.ceil(self.total / self.per_page)), last_page(self.per_page))

    @property
    def capped(self) -> bool:
        """Whether more items match than the pages reach (see ``domain/paging.py``)."""
        return self.total is not None and self.total > self.pages * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.more if self.total is None else self.number < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, ``None`` for a gap: ``[1, None, 4, 5, 6, None, 9]``."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def page_number(per_page: int = PER_PAGE) -> int:
    """``?page=`` as a number from 1: unreadable is page 1, too deep the deepest page."""
    raw = request.args.get("page")
    deepest = last_page(per_page)
    if whole_number(raw) and int(raw) > deepest:
        return deepest
    return read_number(raw, maximum=deepest) or 1


def sort_choice() -> str:
    """``?sort=`` if it is one the listings offer, else the default (title A–Z)."""
    chosen = request.args.get("sort", "title")
    return chosen if chosen in SORT_CHOICES else "title"


def entries_by_id(ids) -> dict:
    """The entries with these ids (deleted ones left out), for listings of revisions."""
    return reads().entries_by_ids(ids)


def _listing(template: str, **context):
    """Render a listing page with the sort choices."""
    return render_template(template, sorts=SORT_CHOICES, **context)


@bp.app_template_global()
def listing_url(**changes: object) -> str:
    """This page's URL with some query arguments changed (``None`` drops one)."""
    args = {**request.args.to_dict(), **changes}
    args = {name: value for name, value in args.items() if value is not None}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.get("/")
def home():
    """The compare box, popular comparisons, recent entries and categories."""
    read = reads()
    popular = read.popular_comparisons(8)
    titles = {slug: entry["title"] for slug, entry in read.entries_by_slugs(
        {slug for comparison in popular for slug in comparison.get("slugs", [])}).items()}
    return render_template(
        "home.html",
        categories=read.categories(),
        recent=read.recent_entries(12),
        popular=popular,
        titles=titles,
        entry_count=read.entry_count(),
    )


@bp.get("/explore")
def explore():
    """Every entry, sorted and paged."""
    sort, number = sort_choice(), page_number()
    items, total = reads().entry_listing(None, sort, number, PER_PAGE)
    return _listing("main/explore.html", page=Page(items, number, PER_PAGE, total), sort=sort,
                    categories=reads().categories())


@bp.get("/search")
def search():
    """Entries whose words start with every word of ``q``, sorted and paged."""
    query = request.args.get("q", "").strip()[:200]
    words = search_words(query)
    sort, number = sort_choice(), page_number()
    page = None
    if words:
        items, total = reads().search_entries(words, PER_PAGE, (number - 1) * PER_PAGE,
                                              sort)
        page = Page(items, number, PER_PAGE, total)
    return _listing("main/search.html", query=query, page=page, sort=sort)


@bp.get("/random")
def random_entry():
    """Go to an entry picked at random (home, with a note, when there is none)."""
    slug = reads().random_entry_slug()
    if slug is None:
        flash(_("There are no entries yet."), "info")
        return redirect(url_for("main.home"))
    return redirect(f"/entries/{slug}")


@bp.get("/recent")
def recent():
    """The latest changes across the wiki, newest first, paged and filtered: by category,
    by user, new entries only, hiding one's own (a GET form: works without JavaScript)."""
    number = page_number()
    filters = _recent_filters()
    rows = wiki().recent_changes(PER_PAGE + 1, (number - 1) * PER_PAGE, **filters)
    page = Page(rows[:PER_PAGE], number, PER_PAGE, more=len(rows) > PER_PAGE)
    return render_template("main/recent.html", page=page, filters=filters,
                           categories=categories().all(),
                           entries=wiki().entries_by_id(row["entry_id"] for row in page.items))


def _recent_filters() -> dict:
    """The recent-changes filters of the query string (anything unknown is ignored)."""
    category = request.args.get("category", "").strip()[:40] or None
    user = request.args.get("user", "").strip()[:30] or None
    mine = request.args.get("hide_mine") == "1" and current_user.is_authenticated
    return {"category": category, "user": user,
            "created_only": request.args.get("new") == "1",
            "hide_user": current_user.doc if mine else None}


#: Probes are never cached by a proxy: each answer is about this moment.
NO_STORE = {"Cache-Control": "no-store"}


def _store_kind() -> str:
    """Which store the probes name: ``embedded`` or ``mongodb``."""
    return "embedded" if current_app.extensions["pkyx.store"].embedded else "mongodb"


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Liveness: the process answers (the store is checked by /readyz); no session, no limit."""
    return jsonify(status="ok", store=_store_kind()), NO_STORE


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Readiness: the store answers a ping and has every index; else a 503 saying why."""
    reason = check_store()
    if reason is not None:
        return problem(503, f"The database cannot be reached: {reason}",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS), **NO_STORE},
                       extensions={"request_id": request_id()})
    missing = check_indexes()
    if missing:
        return problem(503, "The database lacks indexes the app needs (they are being "
                            f"created): {', '.join(missing)}.",
                       headers={"Retry-After": str(RETRY_AFTER_SECONDS), **NO_STORE},
                       extensions={"request_id": request_id(), "missing_indexes": missing})
    return jsonify(status="ready", store=_store_kind()), NO_STORE


@bp.get("/media/images/<file_id>")
def image(file_id: str):
    """An uploaded entry image, with a strong ETag and long caching (ids never change)."""
    try:
        stored = reads().image(file_id)
    except NotFound:
        abort(404)
    return file_response(stored, max_age=31536000, immutable=True)
