"""Attribute definition pages: every attribute by section, and editing one's labels,
descriptions and section in English and Chinese (``PATCH /api/v1/attributes/<key>`` does
the same through the same service)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..domain.errors import InvalidValue, RateLimited, StaleVersion
from ..services import definitions
from ..write_limits import spending
from .definition_forms import EDITED_FIELDS, DefinitionForm
from .filters import chinese
from .forms import require_form, stale

__all__ = ["bp"]

bp = Blueprint("definitions", __name__)


@bp.get("/attributes")
def index():
    """Every attribute definition, grouped by section, with its descriptions."""
    zh = chinese()
    sections: dict[str, list] = {}
    names: dict[str, str] = {}
    for definition in definitions().all():
        sections.setdefault(definition.group, []).append(definition)
        if zh and definition.group_zh:
            names.setdefault(definition.group, definition.group_zh)
    shown = [(names.get(group, group), group, rows) for group, rows in sections.items()]
    return render_template("definitions/index.html", sections=shown,
                           total=sum(len(rows) for rows in sections.values()))


@bp.route("/attributes/<key>/edit", methods=["GET", "POST"])
@login_required
def edit(key: str):
    """Change an attribute's labels, descriptions and section, with an edit summary.

    The form names the version it was read at; if someone saved meanwhile, nothing is
    stored and the page comes back with everything typed, the newer version's values
    beside it and the version to save against.
    """
    service = definitions()
    record = service.record(key)
    form = DefinitionForm()
    if request.method == "GET":
        for name in EDITED_FIELDS:
            getattr(form, name).data = getattr(record.definition, name) or ""
        form.version.data = record.version
    status = 200
    if request.method == "POST":
        try:
            require_form(form)
            data = {name: (getattr(form, name).data or "") for name in EDITED_FIELDS}
            with spending("edit", current_user.doc):
                _changed, version = service.update(current_user.doc, key, form.version.data,
                                                   data, form.comment.data or "")
        except StaleVersion as exc:
            record = service.record(key)
            status = stale(form, _(
                "Someone else changed this attribute while you were editing (you had version "
                "%(mine)s, it is now at %(now)s). Nothing was saved; your text is still "
                "here: compare it with the current values below and save again.",
                mine=exc.expected, now=exc.current), record.version)
        except RateLimited as exc:
            form.form_errors.append(exc.message)
            status = 429
        except InvalidValue as exc:
            field = getattr(form, exc.field or "", None)
            (field.errors if field is not None and exc.field in EDITED_FIELDS + ("comment",)
             else form.form_errors).append(exc.message)
            status = 400
        else:
            flash(_("Saved.") if version != record.version else _("Nothing changed."),
                  "success")
            return redirect(request.args.get("next") if _local(request.args.get("next"))
                            else url_for("definitions.index") + f"#def-{key}")
    return render_template("definitions/edit.html", form=form, record=record,
                           definition=record.definition, stale=status == 409,
                           sections=service.sections(),
                           used=service.uses(key)), status


def _local(target: str | None) -> bool:
    """Whether ``target`` is a path on this site (where "next" may send the editor)."""
    return bool(target) and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target
