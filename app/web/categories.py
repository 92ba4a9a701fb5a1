"""Category pages: the tree, a category's spec table, creating, changing, merging, deleting.

A category with suggested attributes is shown as a spec table: one column per suggested
attribute, sortable by any of them, filtered with the API's filter language behind a
form (``attr.weight=lt.200g`` in the address), with tick boxes to compare the ticked
entries. Every form is a plain GET or POST that works without JavaScript and, when
refused, comes back with what was typed and the reason beside the field.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..domain.categories import trail
from ..domain.compare import MAX_ENTRIES, MIN_ENTRIES, canonical_order, comparison_slug
from ..domain.errors import Conflict, Forbidden, InvalidValue, RateLimited, StaleVersion
from ..services import categories
from ..write_limits import spending
from .category_forms import (
    CategoryForm,
    DeleteCategoryForm,
    MergeForm,
    suggested_lines,
    suggested_text,
)
from .filters import category_name
from .forms import require_form, stale
from .main import PER_PAGE, SORT_CHOICES, Page, page_number, sort_choice

__all__ = ["bp"]

bp = Blueprint("categories", __name__)

#: Operators the spec table's filter form offers (the API's, for numbers and text).
FILTER_OPERATORS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "neq": "≠",
                    "ilike": "~"}


def _is_admin() -> bool:
    return current_user.is_authenticated and current_user.is_admin


def _parent_choices(exclude: str | None = None) -> list[tuple[str, str]]:
    """The parents a category may get: none, or any other category (by trail)."""
    service = categories()
    found = service.all()
    by_slug = {doc["slug"]: doc for doc in found}
    parents = {doc["slug"]: doc.get("parent") for doc in found}
    choices = [("", _("— none: a top-level category —"))]
    for doc in sorted(found, key=lambda d: [category_name(by_slug[s]).casefold()
                                            for s in trail(d["slug"], parents)
                                            if s in by_slug]):
        path = trail(doc["slug"], parents)
        if exclude and exclude in path:
            continue  # itself and its subcategories cannot be its parent
        choices.append((doc["slug"], " › ".join(category_name(by_slug[s])
                                                for s in path if s in by_slug)))
    return choices


def _form_data(form: CategoryForm, *, editing: bool) -> dict:
    """The service's fields from a submitted form (what is not offered is left out)."""
    data = {"description": form.description.data or "",
            "description_zh": form.description_zh.data or "",
            "attributes": categories().resolve_suggestions(
                suggested_lines(form.attributes.data or ""))}
    if not editing or _is_admin():
        data |= {"name": form.name.data or "", "name_zh": form.name_zh.data or "",
                 "parent": form.parent.data or None}
    if not editing:
        data["slug"] = (form.slug.data or "").strip() or None
    return data


#: A refused write's page status, by the error that refused it.
REFUSED = ((RateLimited, 429), (InvalidValue, 400), (Conflict, 409), (Forbidden, 403))


def _refuse(form: CategoryForm, exc: RateLimited | InvalidValue | Conflict | Forbidden) -> int:
    """Put a refusal beside its field (a limit, or one without a field: above the form);
    the page's status (429, 400, 409 or 403)."""
    field = None if isinstance(exc, RateLimited) else \
        getattr(form, getattr(exc, "field", None) or "", None)
    (field.errors if field is not None else form.form_errors).append(exc.message)
    return next(status for kind, status in REFUSED if isinstance(exc, kind))


# ----------------------------------------------------------------------------- reading


@bp.get("/categories")
def index():
    """Every category as a tree, with its entry count."""
    found = categories().all()
    children: dict[str | None, list[dict]] = {}
    known = {doc["slug"] for doc in found}
    for doc in sorted(found, key=lambda d: category_name(d).casefold()):
        parent = doc.get("parent") if doc.get("parent") in known else None
        children.setdefault(parent, []).append(doc)
    return render_template("categories/index.html", children=children, total=len(found))


@bp.get("/categories/<slug>")
def show(slug: str):
    """A category: its spec table (or entry cards), subcategories, and what editors can do."""
    service = categories()
    category = service.get(slug)
    view = request.args.get("view")
    columns = service.suggested(category)
    if view != "cards" and columns:
        return _table_page(category)
    sort, number = sort_choice(), page_number()
    table = service.table(category, sort=sort, filters=[], page=number, per_page=PER_PAGE)
    return render_template("categories/show.html", category=category, sort=sort,
                           sorts=SORT_CHOICES, page=Page(table.entries, number, PER_PAGE,
                                                         table.total),
                           trail=service.trail(slug), children=service.children(slug),
                           view="cards", has_columns=bool(columns))


def _table_page(category: dict):
    """The spec table of a category, after turning the filter form into the address."""
    added = _added_filter()
    if added is not None:
        return redirect(added)
    service = categories()
    filters = [(name, value) for name, value in request.args.items(multi=True)
               if name.startswith("attr.")]
    number = page_number()
    table = service.table(category, sort=request.args.get("sort", "title"), filters=filters,
                          page=number, per_page=PER_PAGE)
    return render_template("categories/show.html", category=category, table=table,
                           page=Page(table.entries, number, PER_PAGE, table.total),
                           trail=service.trail(category["slug"]),
                           children=service.children(category["slug"]), view="table",
                           operators=FILTER_OPERATORS, has_columns=True,
                           picked=request.args.getlist("e"))


def _added_filter() -> str | None:
    """The address with the filter form's ``fk/fo/fv`` as ``attr.<fk>=<fo>.<fv>``, or None."""
    key, operator = request.args.get("fk", ""), request.args.get("fo", "")
    if "fk" not in request.args:
        return None
    value = request.args.get("fv", "").strip()
    kept = [(name, value) for name, value in request.args.items(multi=True)
            if name not in ("fk", "fo", "fv", "page")]
    if key and value and operator in FILTER_OPERATORS:
        if operator == "ilike" and "*" not in value:
            value = f"*{value}*"
        kept.append((f"attr.{key}", f"{operator}.{value}"))
    return url_for("categories.show", slug=request.view_args["slug"]) + _query(kept)


def _query(pairs: list[tuple[str, str]]) -> str:
    """A query string (with its "?") of ``pairs``, or "" when there are none."""
    return "?" + urlencode(pairs) if pairs else ""


@bp.app_template_global()
def without_filter(name: str, value: str) -> str:
    """This page's address without one filter (and back on its first page)."""
    pairs = [(n, v) for n, v in request.args.items(multi=True)
             if not (n == name and v == value) and n != "page"]
    return request.path + _query(pairs)


@bp.get("/categories/<slug>/compare")
def compare_ticked(slug: str):
    """Compare the entries ticked in a spec table (2 to 6), or say why not."""
    categories().get(slug)
    picked = list(dict.fromkeys(request.args.getlist("e")))
    if not MIN_ENTRIES <= len(picked) <= MAX_ENTRIES:
        flash(_("Tick %(min)s to %(max)s entries to compare them.", min=MIN_ENTRIES,
                max=MAX_ENTRIES), "warning")
        back = [(n, v) for n, v in request.args.items(multi=True) if n != "e"]
        return redirect(url_for("categories.show", slug=slug) + _query(back))
    try:
        path = comparison_slug(canonical_order(picked))
    except InvalidValue:
        abort(404)
    return redirect(f"/compare/{path}")


# ----------------------------------------------------------------------------- writing


@bp.route("/categories/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a category (any editor)."""
    form = CategoryForm()
    form.parent.choices = _parent_choices()
    if request.method == "GET":
        form.parent.data = request.args.get("parent", "")
        form.name.data = request.args.get("name", "")[:60]
    status = 200
    if request.method == "POST":
        try:
            require_form(form, versioned=False)
            with spending("edit", current_user.doc):
                created = categories().create(current_user.doc,
                                              _form_data(form, editing=False))
        except (RateLimited, InvalidValue, Conflict) as exc:
            status = _refuse(form, exc)
        else:
            flash(_("Category created."), "success")
            return redirect(url_for("categories.show", slug=created["slug"]))
    return render_template("categories/form.html", form=form, category=None,
                           definitions=categories().definitions()), status


@bp.route("/categories/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Change a category: editors its descriptions and suggestions, admins everything."""
    service = categories()
    category = service.get(slug)
    form = CategoryForm()
    form.parent.choices = _parent_choices(exclude=slug)
    if request.method == "GET":
        for name in ("name", "name_zh", "description", "description_zh"):
            getattr(form, name).data = category.get(name) or ""
        form.parent.data = category.get("parent") or ""
        form.attributes.data = suggested_text(category.get("attributes") or [])
        form.version.data = category.get("version", 1)
    status = 200
    if request.method == "POST":
        try:
            require_form(form)
            with spending("edit", current_user.doc):
                service.update(current_user.doc, slug, form.version.data,
                               _form_data(form, editing=True), admin=_is_admin())
        except StaleVersion as exc:
            status = stale(form, _(
                "Someone else changed this category while you were editing (you had version "
                "%(mine)s, it is now at %(now)s). Nothing was saved; your text is still here: "
                "compare it with the category and save again.",
                mine=exc.expected, now=exc.current), service.get(slug).get("version", 1))
        except (RateLimited, InvalidValue, Forbidden) as exc:
            status = _refuse(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("categories.show", slug=slug))
    merge_form = MergeForm(formdata=None, version=category.get("version", 1))
    merge_form.into.choices = [choice for choice in _parent_choices(exclude=slug)
                               if choice[0]]
    return render_template("categories/form.html", form=form, category=category,
                           definitions=service.definitions(), merge_form=merge_form,
                           delete_form=DeleteCategoryForm(formdata=None,
                                                          version=category.get("version", 1)),
                           admin=_is_admin()), status


@bp.post("/categories/<slug>/merge")
@login_required
def merge(slug: str):
    """Merge a category into another (admins): every entry moves, each as an edit."""
    form = MergeForm()
    try:
        require_form(form, validate=False)
        target = categories().merge(current_user.doc, slug, form.version.data,
                                    into=form.into.data, admin=_is_admin())
    except (InvalidValue, StaleVersion, Forbidden) as exc:
        flash(exc.message, "danger")
        return redirect(url_for("categories.edit", slug=slug))
    flash(_("Merged: its entries are now in %(name)s.", name=category_name(target)), "success")
    return redirect(url_for("categories.show", slug=target["slug"]))


@bp.route("/categories/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str):
    """Delete an empty category (admins), after a page that asks to confirm."""
    service = categories()
    category = service.get(slug)
    if not _is_admin():
        abort(403)
    form = DeleteCategoryForm()
    if request.method == "POST":
        try:
            require_form(form, validate=False)
            service.delete(current_user.doc, slug, form.version.data, admin=True)
        except (InvalidValue, StaleVersion, Conflict) as exc:
            flash(exc.message, "danger")
            return redirect(url_for("categories.edit", slug=slug))
        flash(_("Category %(name)s deleted.", name=category_name(category)), "success")
        return redirect(url_for("categories.index"))
    return render_template("categories/delete.html", category=category,
                           form=DeleteCategoryForm(formdata=None,
                                                   version=category.get("version", 1)))
