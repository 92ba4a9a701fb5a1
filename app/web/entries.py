"""Entry pages: read an entry, edit its attributes in place, create entries, history.

Every editing form is a plain POST that works without JavaScript (redirect after
success, the page re-rendered with the message beside the field after a refusal).
``entry.js`` sends the same forms with fetch and ``Accept: application/json``; the
same views then answer ``{ok, html, version, errors}`` and the script swaps the
attribute table in place.
"""

from __future__ import annotations

from dataclasses import replace

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..domain.compare import canonical_order, comparison_slug
from ..domain.definitions import (
    DEFAULT_GROUP,
    Definition,
    definition_for,
    in_sections,
)
from ..domain.errors import (
    AttributeExists,
    Conflict,
    InvalidValue,
    NotFound,
    RateLimited,
    StaleVersion,
)
from ..domain.revisions import ATTR_PREFIX
from ..domain.types import display_value, format_value
from ..services import categories, reads, wiki
from ..services.wiki import IMAGE_KEY
from ..write_limits import spending
from .entry_forms import (
    TYPE_NAMES,
    AttributeForm,
    DeleteAttributeForm,
    DeleteEntryForm,
    EditEntryForm,
    NewEntryForm,
    RestoreForm,
    RevertForm,
    attribute_input,
    field_of,
    unit_choices,
    unit_groups_in,
)
from .errors import retry_after
from .filters import category_name, chinese
from .forms import require_form, stale
from .main import page_number

__all__ = ["bp"]

bp = Blueprint("entries", __name__)

HISTORY_PER_PAGE = 50
#: The flash category of a row's confirmation, shown beside that row (not at the top).
SAVED = "saved"


# ----------------------------------------------------------------------------- helpers


def get_entry(ident: str) -> dict:
    """The entry with this slug or id; NotFound becomes the 404 page."""
    return reads().entry(ident)


def wants_json() -> bool:
    """Whether the client (entry.js) asked for JSON rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def attribute_rows(entry: dict, category: dict | None = None,
                   ) -> tuple[list[tuple[str, list[dict]]], dict[str, Definition]]:
    """The entry's attributes as sections ``[(section name, [row…])]`` in page order.

    A row holds the key, definition, stored value, display text and edit text. For
    editors, the category's suggested attributes the entry lacks come as empty rows
    (``empty``: stored None) to fill in. Section names are in the reader's language.
    """
    attributes = entry.get("attributes") or {}
    suggested = categories().suggested(category) if category and may_edit(entry) else []
    definitions = reads().definitions_many(
        [*attributes, *(item["key"] for item in suggested)])
    rows = []
    for key, stored in attributes.items():
        definition = definition_for(key, definitions)
        rows.append({
            "key": key, "definition": definition, "stored": stored,
            "text": display_value(definition, stored),
            "edit_text": format_value(definition, stored),
            "edit_number": _number_text(definition, stored), "empty": False,
        })
    for item in suggested:
        if item["key"] not in attributes:
            rows.append({"key": item["key"], "definition": item["definition"], "stored": None,
                         "text": "", "edit_text": "", "edit_number": "", "empty": True})
    sections = in_sections(rows, lambda row: row["definition"])
    zh = chinese()
    return [(_section_name(group, section, zh), section) for group, section in sections], \
        definitions


def _section_name(group: str, rows: list[dict], zh: bool) -> str:
    """A section's name in the reader's language: the Chinese name one of its attributes
    gives it, or the default section's translation."""
    if zh:
        for row in rows:
            if row["definition"].group_zh:
                return row["definition"].group_zh
    return _(DEFAULT_GROUP) if group == DEFAULT_GROUP else group


@bp.app_template_global()
def may_edit(entry: dict) -> bool:
    """Whether the reader may edit ``entry``: logged in, and an admin if it is protected
    (the wiki service refuses the rest anyway)."""
    return current_user.is_authenticated and wiki().may_edit(entry,
                                                             wiki().editor(current_user.doc))


def page_context(entry: dict, failed: dict | None = None) -> dict:
    """Everything the entry page and its attribute table need."""
    category = _category(entry.get("category"))
    sections, _definitions = attribute_rows(entry, category if "_id" in category else None)
    known = reads().definitions_all()
    image = (entry.get("attributes") or {}).get(IMAGE_KEY)
    saved = get_flashed_messages(category_filter=[SAVED])
    return {
        "entry": entry,
        "sections": sections,
        "image": image,
        "category": category,
        "trail": categories().trail(category["slug"]) if "_id" in category else [],
        "failed": failed or {},
        "type_names": TYPE_NAMES,
        # The picker's groups in the reader's language ("a mass" → "质量"); the grouping
        # itself is computed once, in English.
        "unit_groups": unit_groups_in(str(get_locale())),
        "unit_choices": unit_choices,
        "active_type": _active_type(failed),
        "known_definitions": known,
        "known_groups": sorted({d.group for d in known}, key=str.casefold),
        "similar": _similar(entry),
        # A row's confirmation goes beside it; one whose row is not shown, above the table.
        "saved_key": request.args.get("saved") if request.args.get("saved") in (
            entry.get("attributes") or {}) else None,
        "saved_message": saved[0] if saved else None,
    }


def _number_text(definition: Definition, stored: dict) -> str:
    """The number of a number value without its unit (the unit has its own picker)."""
    if definition.type != "number" or not isinstance(stored, dict):
        return ""
    return format_value(definition, {"value": stored.get("value")})


def _similar(entry: dict, limit: int = 6) -> list[dict]:
    """A few entries of the same category to compare with, linked in canonical order."""
    others = reads().recent_entries(limit + 1, entry.get("category"),
                                    fields=("slug", "title"))
    links = []
    for other in others:
        if other["_id"] == entry["_id"]:
            continue
        try:
            path = comparison_slug(canonical_order([entry["slug"], other["slug"]]))
        except InvalidValue:
            continue  # a slug that cannot be part of a comparison address
        links.append({"title": other["title"], "href": f"/compare/{path}"})
    return links[:limit]


def _category(slug: str | None) -> dict:
    """The entry's category document, or a stand-in naming the slug."""
    try:
        return categories().get(slug or "")
    except NotFound:
        return {"slug": slug, "name": slug or ""}


def _active_type(failed: dict | None) -> str:
    """The tab of the add panel that is open: the failed one, ``?add=``, or text."""
    if failed and str(failed.get("form", "")).startswith("add-"):
        return failed["form"][4:]
    chosen = request.args.get("add")
    return chosen if chosen in TYPE_NAMES else "text"


def _version_of(form) -> int:
    """The entry version a form says the editor saw; a missing one is a refusal."""
    if form.version.data is None:
        raise InvalidValue(_("The form is missing the entry version; reload the page."),
                           "version")
    return form.version.data


def _failure(form_id: str, errors: dict[str, str]) -> dict:
    """What the page needs to show a refused form again with the editor's input."""
    return {"form": form_id, "data": request.form.to_dict(), "errors": errors}


def _refused(entry: dict, form_id: str, errors: dict[str, str], status: int,
             headers: dict | None = None):
    """Answer a refused edit: the page again (or JSON) with the input and the message."""
    if form_id.startswith("edit-"):  # a row form shows only its value and version slots
        errors = {(k if k in ("value", "unit", "version") else "value"): v
                  for k, v in errors.items()}
    failed = _failure(form_id, errors)
    context = page_context(entry, failed)
    if wants_json():
        html = render_template("entries/_attributes.html", **context)
        return jsonify(ok=False, errors=errors, html=html, version=entry["version"],
                       form=form_id), status, headers or {}
    return render_template("entries/show.html", **context), status, headers or {}


def _limited(entry: dict, form_id: str, exc: RateLimited):
    """Too many edits: the form again with what was typed, the message and Retry-After."""
    if not wants_json():
        flash(exc.message, "warning")
    return _refused(entry, form_id, {"version": exc.message}, 429, retry_after(exc))


def _saved(entry: dict, message: str, key: str | None = None):
    """Answer a stored edit: back to the entry at the edited row, the confirmation beside
    it (or JSON with the new table)."""
    if wants_json():
        context = page_context(entry)
        html = render_template("entries/_attributes.html", **context)
        return jsonify(ok=True, html=html, version=entry["version"], errors={},
                       message=message, key=key)
    if key and key in (entry.get("attributes") or {}):
        flash(message, SAVED)
        return redirect(url_for("entries.show", slug=entry["slug"], saved=key)
                        + f"#attr-{key}")
    flash(message, "success")
    return redirect(url_for("entries.show", slug=entry["slug"]) + "#attributes")


def _stale(entry_slug: str, exc: StaleVersion, form_id: str):
    """Someone saved first: show their version and keep the editor's input to re-apply."""
    entry = get_entry(entry_slug)
    message = _("Someone else changed this entry while you were editing (you had version "
                "%(mine)s, it is now at %(now)s). Your change was not saved: check the "
                "table and apply it again.", mine=exc.expected, now=exc.current)
    if not wants_json():
        flash(message, "warning")
    return _refused(entry, form_id, {"version": message}, 409)


def _exists(entry: dict, form_id: str, exc: AttributeExists, item):
    """The attribute is there already: ask whether to replace its value, keeping the input.

    The question names the current value and the new one; "Replace" posts the same input
    again with ``replace=1``. Nothing was changed.
    """
    definition = reads().definition(exc.key) or Definition(
        key=exc.key, label=exc.label, type="text")
    new_text = item.value if isinstance(item.value, str) else str(item.value)
    question = _("%(label)s is already %(current)s — replace it with %(new)s?",
                 label=definition.label_in(chinese()), current=exc.text, new=new_text)
    failed = _failure(form_id, {})
    failed["confirm"] = {"question": question, "key": exc.key}
    context = page_context(entry, failed)
    if wants_json():
        html = render_template("entries/_attributes.html", **context)
        confirm = render_template("entries/_confirm_replace.html", **context)
        return jsonify(ok=False, errors={}, html=html, version=entry["version"],
                       form=form_id, confirm=confirm, message=question), 409
    return render_template("entries/show.html", **context), 409


# ----------------------------------------------------------------------------- reading


@bp.get("/entries/<slug>")
def show(slug: str):
    """The entry page: image, summary, attribute table, editing, compare picker.

    A deleted entry's address says so (and offers admins to restore it) with a 404.
    """
    try:
        entry = get_entry(slug)
    except NotFound:
        deleted = wiki().deleted_entry(slug)
        if deleted is None:
            raise
        return render_template("entries/deleted.html", deleted=deleted,
                               form=RestoreForm(formdata=None)), 404
    if entry["slug"] != slug:
        return redirect(url_for("entries.show", slug=entry["slug"]), 301)
    wiki().count_view(entry["_id"])
    return render_template("entries/show.html", **page_context(entry))


# ----------------------------------------------------------------------------- editing


@bp.post("/entries/<slug>/attributes")
@login_required
def set_attribute(slug: str):
    """Add an attribute (add panel) or change one (row form), at the version shown.

    Adding an attribute the entry has (by key, or by label after folding) asks first
    whether to replace its value; the add form then comes back with ``replace=1``.
    """
    entry = get_entry(slug)
    form = AttributeForm()
    form_id = form.form_id.data or "add-" + (form.type.data or "text")
    adding = form_id.startswith("add-")
    item = None
    try:
        version = _version_of(form)
        item = attribute_input(request.form)
        item = replace(item, key=wiki().key_for(item))  # refuses an item with neither
        comment = _comment(request.form)
        with spending("edit", current_user.doc):
            if adding:
                wiki().check_values([item])  # an unusable value is refused before asking
                updated = wiki().add_attribute(current_user.doc, entry["slug"], version,
                                               item, comment,
                                               replace=request.form.get("replace") == "1")
            else:
                updated = wiki().set_attribute(current_user.doc, entry["slug"], version,
                                               item, comment)
    except RateLimited as exc:
        return _limited(entry, form_id, exc)
    except AttributeExists as exc:
        return _exists(entry, form_id, exc, item)
    except StaleVersion as exc:
        return _stale(entry["slug"], exc, form_id)
    except InvalidValue as exc:
        return _refused(entry, form_id, {field_of(exc): exc.message}, 400)
    if updated["version"] == entry["version"]:
        return _saved(updated, _("Nothing changed: the attribute already has this value."),
                      item.key)
    return _saved(updated, _("Saved."), item.key)


def _comment(form) -> str:
    """The edit summary of a form (at most 500 characters, one line)."""
    comment = " ".join((form.get("comment") or "").split())
    if len(comment) > 500:
        raise InvalidValue(_("The edit summary may be at most 500 characters."), "comment")
    return comment


@bp.post("/entries/<slug>/attributes/<key>/delete")
@login_required
def delete_attribute(slug: str, key: str):
    """Remove one attribute, at the version shown, once confirmed.

    Without JavaScript the first POST answers with a page that asks to confirm (it
    carries ``confirmed=1``); entry.js asks with a dialog and sends ``confirmed=1``.
    """
    entry = get_entry(slug)
    form = DeleteAttributeForm()
    form_id = f"delete-{key}"
    if request.form.get("confirmed") != "1" and not wants_json():
        stored = (entry.get("attributes") or {}).get(key)
        if stored is None:
            raise NotFound("Attribute", key)
        definition = definition_for(key, reads().definitions_many([key]))
        return render_template("entries/confirm_delete.html", entry=entry, key=key,
                               definition=definition, text=display_value(definition, stored),
                               version=request.form.get("version", entry["version"]),
                               comment=request.form.get("comment", ""))
    try:
        with spending("edit", current_user.doc):
            updated = wiki().delete_attribute(current_user.doc, entry["slug"],
                                              _version_of(form), key, _comment(request.form))
    except RateLimited as exc:
        return _limited(entry, form_id, exc)
    except StaleVersion as exc:
        return _stale(entry["slug"], exc, form_id)
    except InvalidValue as exc:
        return _refused(entry, form_id, {"version": exc.message}, 400)
    return _saved(updated, _("Attribute removed."))


# ----------------------------------------------------------------------------- the entry


@bp.route("/entries/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Change the entry itself: title, summary, category, main picture, with a summary."""
    entry = get_entry(slug)
    wiki().check_may_edit(entry, current_user.doc)
    form = EditEntryForm()
    form.category.choices = _category_choices()
    if request.method == "GET":
        form.title.data = entry["title"]
        form.summary.data = entry.get("summary") or ""
        form.category.data = entry["category"]
        form.version.data = entry["version"]
    status = 200
    if request.method == "POST":
        try:
            require_form(form)
            with spending("edit", current_user.doc):
                updated = wiki().edit_details(
                    current_user.doc, entry["slug"], form.version.data,
                    fields={"title": form.title.data or "",
                            "summary": (form.summary.data or "").replace("\r\n", "\n"),
                            "category": form.category.data},
                    picture=_picture(form, entry),
                    remove_picture=bool(form.remove_picture.data),
                    comment=_comment(request.form))
        except RateLimited as exc:
            form.form_errors.append(exc.message)
            status = 429
        except StaleVersion as exc:
            status = stale(form, _(
                "Someone else changed this entry while you were editing (you had version "
                "%(mine)s, it is now at %(now)s). Nothing was saved; your text is still "
                "here: compare with the entry and save again.",
                mine=exc.expected, now=exc.current), get_entry(slug)["version"])
        except InvalidValue as exc:
            field = getattr(form, {"image": "picture_url"}.get(exc.field or "", exc.field or ""),
                            None)
            (field.errors if field is not None else form.form_errors).append(exc.message)
            status = 400
        else:
            flash(_("Saved.") if updated["version"] != entry["version"] else
                  _("Nothing changed."), "success")
            return redirect(url_for("entries.show", slug=updated["slug"]))
    return render_template("entries/edit.html", entry=entry, form=form,
                           image=(entry.get("attributes") or {}).get(IMAGE_KEY)), status


def _picture(form: EditEntryForm, entry: dict):
    """The new main picture: an uploaded file (checked and stored), an address, or None."""
    upload = form.picture.data
    if upload is not None and getattr(upload, "filename", ""):
        return wiki().store_picture(upload.read(), entry["slug"])
    address = (form.picture_url.data or "").strip()
    current = (entry.get("attributes") or {}).get(IMAGE_KEY) or {}
    if address and address != current.get("value"):
        return address
    return None


def _category_choices() -> list[tuple[str, str]]:
    """Every category for a select, by its trail in the reader's language."""
    found = categories().all()
    by_slug = {doc["slug"]: doc for doc in found}
    choices = []
    for doc in found:
        names, seen, slug = [], set(), doc["slug"]
        while slug in by_slug and slug not in seen:
            seen.add(slug)
            names.insert(0, category_name(by_slug[slug]))
            slug = by_slug[slug].get("parent")
        choices.append((doc["slug"], " › ".join(names)))
    return sorted(choices, key=lambda choice: choice[1].casefold())


@bp.route("/entries/<slug>/delete", methods=["GET", "POST"])
@login_required
def delete_entry(slug: str):
    """Delete an entry (admins), after a page that asks to confirm; history is kept."""
    entry = get_entry(slug)
    if not current_user.is_admin:
        abort(403)
    form = DeleteEntryForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            wiki().delete_entry(current_user.doc, entry["slug"], form.version.data,
                                _comment(request.form))
        except StaleVersion:
            return _said(_("Someone else changed this entry meanwhile; look at it again "
                           "before deleting it."), "warning",
                         url_for("entries.show", slug=entry["slug"]))
        except InvalidValue as exc:
            return _said(exc.message, "danger",
                         url_for("entries.delete_entry", slug=entry["slug"]))
        flash(_("%(title)s was deleted. Its history is kept; it can be restored from its "
                "address.", title=entry["title"]), "success")
        return redirect(url_for("entries.show", slug=entry["slug"]))
    return render_template("entries/delete.html", entry=entry,
                           form=DeleteEntryForm(formdata=None, version=entry["version"]))


def _said(message: str, category: str, to: str):
    """Go to the page at ``to``, which says ``message`` (flashed as ``category``)."""
    flash(message, category)
    return redirect(to)


@bp.post("/entries/restore/<entry_id>")
@login_required
def restore(entry_id: str):
    """Bring a deleted entry back as it was (admins), as a new revision."""
    if not current_user.is_admin:
        abort(403)
    RestoreForm().validate_on_submit()
    try:
        entry = wiki().restore_entry(current_user.doc, entry_id, _comment(request.form))
    except (InvalidValue, Conflict) as exc:
        flash(exc.message, "danger")
        return redirect(request.referrer or url_for("main.recent"))
    flash(_("%(title)s is back.", title=entry["title"]), "success")
    return redirect(url_for("entries.show", slug=entry["slug"]))


# ----------------------------------------------------------------------------- creating


@bp.route("/entries/new", methods=["GET", "POST"])
@login_required
def new():
    """Create an entry: title, category and summary; attributes are added on its page.

    A title that an entry has already (case and punctuation folded, or the slug it
    would get and its numbered neighbours) shows those entries and needs an explicit
    "create anyway".
    """
    form = NewEntryForm()
    form.category.choices = _category_choices()
    if request.method == "GET":
        form.title.data = form.title.data or request.args.get("title", "")[:120]
        if request.args.get("category"):
            form.category.data = request.args["category"]
    status, duplicates, headers = 200, [], {}
    if form.validate_on_submit():
        duplicates = wiki().near_duplicates(form.title.data)
        if duplicates and not form.create_anyway.data:
            status = 409
        else:
            try:
                with spending("entry", current_user.doc):
                    entry = wiki().create_entry(
                        current_user.doc, title=form.title.data,
                        category=form.category.data,
                        summary=(form.summary.data or "").replace("\r\n", "\n"),
                        comment=_comment(request.form))
            except RateLimited as exc:
                form.form_errors.append(exc.message)
                status, headers = 429, retry_after(exc)
            except InvalidValue as exc:
                field = getattr(form, exc.field or "", None)
                (field.errors if field is not None else form.form_errors).append(exc.message)
                status = 400
            else:
                flash(_("Entry created. Now give it some attributes."), "success")
                return redirect(url_for("entries.show", slug=entry["slug"]))
    elif request.method == "POST":
        status = 400
    return render_template("entries/new.html", form=form, duplicates=duplicates,
                           has_categories=bool(form.category.choices)), status, headers


# ----------------------------------------------------------------------------- history


@bp.get("/entries/<slug>/history")
def history(slug: str):
    """The entry's revisions, newest first, with diff choices and revert buttons."""
    entry = get_entry(slug)
    if entry["slug"] != slug:
        return redirect(url_for("entries.history", slug=entry["slug"]), 301)
    page = page_number(HISTORY_PER_PAGE)
    revisions, total = reads().revision_page(
        entry["_id"], (page - 1) * HISTORY_PER_PAGE, HISTORY_PER_PAGE)
    keys = {change["key"][len(ATTR_PREFIX):] for revision in revisions
            for change in revision["changes"] if change["key"].startswith(ATTR_PREFIX)}
    definitions = reads().definitions_many(keys)
    return render_template(
        "entries/history.html", entry=entry, revisions=revisions, page=page,
        pages=max(1, -(-total // HISTORY_PER_PAGE)), total=total,
        labels={key: definition_for(key, definitions).label_in(chinese()) for key in keys},
        field_labels=_field_labels())


def _field_labels() -> dict[str, str]:
    """Names of the entry fields a revision can change."""
    return {"title": _("Title"), "summary": _("Summary"), "category": _("Category")}


@bp.get("/entries/<slug>/diff")
def diff(slug: str):
    """What changed between two versions, before and after, per field and attribute."""
    entry = get_entry(slug)
    to_version = request.args.get("to", entry["version"], type=int)
    from_version = request.args.get("from", max(to_version - 1, 1), type=int)
    if from_version is None or to_version is None:
        raise InvalidValue(_("Choose two versions to compare."), "version")
    if from_version > to_version:
        from_version, to_version = to_version, from_version
    changes = wiki().diff(entry["slug"], from_version, to_version)
    keys = {c["key"][len(ATTR_PREFIX):] for c in changes if c["key"].startswith(ATTR_PREFIX)}
    definitions = reads().definitions_many(keys)
    rows = []
    for change in changes:
        row = {"key": change["key"], "before": change["before"], "after": change["after"]}
        if change["key"].startswith(ATTR_PREFIX):
            definition = definition_for(change["key"][len(ATTR_PREFIX):], definitions)
            row |= {"definition": definition, "label": definition.label_in(chinese()),
                    "before_text": _shown(definition, change["before"]),
                    "after_text": _shown(definition, change["after"])}
        else:
            row["label"] = _field_labels().get(change["key"], change["key"])
        rows.append(row)
    return render_template("entries/diff.html", entry=entry, rows=rows,
                           from_version=from_version, to_version=to_version)


def _shown(definition: Definition, stored: dict | None) -> str:
    """Display text of a stored value, or "" when absent or not of the definition's type."""
    if not isinstance(stored, dict) or "value" not in stored:
        return ""
    try:
        return display_value(definition, stored)
    except (KeyError, TypeError, ValueError):
        return str(stored.get("value"))


@bp.post("/entries/<slug>/revert/<int:version>")
@login_required
def revert(slug: str, version: int):
    """Bring the entry back to ``version`` as a new revision (one click, from history)."""
    entry = get_entry(slug)
    form = RevertForm()
    try:
        with spending("edit", current_user.doc):
            updated = wiki().revert(current_user.doc, entry["slug"], _version_of(form),
                                    version, _comment(request.form))
    except (RateLimited, StaleVersion, InvalidValue) as exc:
        message = _("Someone else changed this entry meanwhile; look at the history again "
                    "before reverting.") if isinstance(exc, StaleVersion) else exc.message
        return _said(message, "danger" if isinstance(exc, InvalidValue) else "warning",
                     url_for("entries.history", slug=entry["slug"]))
    if updated["version"] == entry["version"]:
        flash(_("Version %(v)s is the same as the current one; nothing to revert.",
                v=version), "info")
    else:
        flash(_("Reverted to version %(v)s.", v=version), "success")
    return redirect(url_for("entries.show", slug=entry["slug"]))
