"""Attribute values as HTML, and the comparison table's rows, written in Python.

These are the pages' hottest loops: a comparison of six entries writes a few hundred
cells, and a Jinja macro call or attribute look-up costs more than the markup it writes.
Every piece of text goes through :func:`markupsafe.escape` (URLs through
:func:`~.filters.safe_url` first), and the result is :class:`~markupsafe.Markup` only
because everything in it was escaped here — the same guarantee Jinja's autoescape gives.
The macro ``value`` in ``macros/attributes.html`` calls :func:`value_html`, so the entry
page, the category pages and the comparison page draw a value the same way.

Example::

    value_html("rating", {"value": 4}, "4/5")
    # Markup('<span class="value-rating" role="img" aria-label="4 out of 5 stars">…')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask import Flask, g
from flask_babel import gettext as _
from markupsafe import Markup, escape

from .filters import attribute_label, host_of, safe_url, section_label

__all__ = ["value_html", "compare_rows_html", "ValueTexts", "register_value_html"]


class ValueTexts:
    """The words values are drawn with, translated once for a whole table."""

    __slots__ = ("missing", "yes", "no", "differs", "best_mark")

    def __init__(self) -> None:
        # Translated outside the f-strings: pybabel does not find calls inside them.
        missing, yes, no = escape(_("not given")), escape(_("Yes")), escape(_("No"))
        differs, best = escape(_("differs")), escape(_("best"))
        self.missing = ('<span class="value-missing"><span aria-hidden="true">—</span>'
                        f'<span class="visually-hidden">{missing}</span></span>')
        self.yes = ('<span class="value-yes"><i class="bi bi-check-lg" aria-hidden="true"></i>'
                    f'<span class="visually-hidden">{yes}</span></span>')
        self.no = ('<span class="value-no"><i class="bi bi-x-lg" aria-hidden="true"></i>'
                   f'<span class="visually-hidden">{no}</span></span>')
        self.differs = f'<span class="visually-hidden"> ({differs})</span>'
        self.best_mark = ('<i class="bi bi-trophy-fill compare-best-icon" aria-hidden="true"></i>'
                          f'<span class="visually-hidden">{best}: </span>')


def value_html(kind: str, stored: Mapping | None, text: object, label: object = "",
               texts: ValueTexts | None = None) -> Markup:
    """One stored value of type ``kind`` as HTML (``text`` is the domain's display text;
    ``label`` the attribute's label, the alt text of an image)."""
    return Markup(_value(kind, stored, text, label, texts or _request_texts()))


def _request_texts() -> ValueTexts:
    """This request's :class:`ValueTexts` (an entry page draws dozens of values; their
    words are translated once)."""
    texts = g.get("pkyx_value_texts")
    if texts is None:
        texts = g.pkyx_value_texts = ValueTexts()
    return texts


def _value(kind: str, stored: Mapping | None, text: object, label: object,
           texts: ValueTexts) -> str:
    """:func:`value_html` as a plain string of escaped HTML."""
    if stored is None:
        return texts.missing
    value = stored.get("value")
    if kind == "boolean":
        return texts.yes if value else texts.no
    if kind == "rating":
        stars = "".join(f'<i class="bi {"bi-star-fill" if i <= value else "bi-star"}" '
                        'aria-hidden="true"></i>' for i in range(1, 6))
        name = escape(_("%(n)s out of 5 stars", n=value))
        return f'<span class="value-rating" role="img" aria-label="{name}">{stars}</span>'
    if kind == "url":
        shown = escape(host_of(value) or text)
        return (f'<a href="{escape(safe_url(value))}" rel="nofollow noopener noreferrer" '
                f'target="_blank">{shown}<i class="bi bi-box-arrow-up-right ms-1 small" '
                'aria-hidden="true"></i></a>')
    if kind == "image":
        return (f'<img class="value-image" src="{escape(safe_url(value))}" alt="{escape(label)}" '
                'loading="lazy" referrerpolicy="no-referrer">')
    if kind == "date":
        return f'<time datetime="{escape(value)}">{escape(text)}</time>'
    if kind == "list":
        items = "".join(f'<li class="list-inline-item badge text-bg-light border">{escape(item)}'
                        "</li>" for item in value)
        return f'<ul class="value-list list-inline mb-0">{items}</ul>'
    return f'<span class="value-{escape(kind)}">{escape(text)}</span>'


def compare_rows_html(groups: Iterable[Mapping], columns: int,
                      label: Callable[[str, str], str] = attribute_label,
                      section: Callable[[str], str] = section_label) -> Markup:
    """The comparison table's sections: a ``<tbody>`` per group, a row per attribute.

    ``groups`` are the page's groups (``name``, ``rows``, ``differs``); each row's cells
    are the domain's :class:`~app.domain.compare.Cell` objects. Numbers carry their value
    as entered in ``title`` and a bar in twentieths (``cmp-bar b0``–``b20``); the best
    cells a trophy; missing ones a dash that screen readers read as "not given".
    """
    texts = _request_texts()
    out: list[str] = []
    for group in groups:
        out.append(f'<tbody class="compare-group{"" if group["differs"] else " group-same"}">'
                   f'<tr class="compare-group-row"><th scope="colgroup" colspan="{columns + 1}">'
                   f'<span class="compare-group-name">{escape(section(group["name"]))}'
                   "</span></th></tr>")
        for row in group["rows"]:
            out.append(_row(row, label(row.key, row.label), texts))
        out.append("</tbody>")
    return Markup("".join(out))


def _row(row, label: str, texts: ValueTexts) -> str:
    """One attribute's ``<tr>``: its label, then a cell per entry."""
    differs = row.differs
    parts = [f'<tr class="compare-row {"row-differs" if differs else "row-same"}" '
             f'data-key="{escape(row.key)}"><th scope="row" class="compare-label"><span>'
             f'{escape(label)}{texts.differs if differs else ""}</span></th>']
    kind = row.type
    for cell in row.cells:
        parts.append(_cell(kind, cell, label, texts))
    parts.append("</tr>")
    return "".join(parts)


def _cell(kind: str, cell, label: str, texts: ValueTexts) -> str:
    """One entry's ``<td>`` in a row."""
    if cell.missing:
        return f'<td class="cell-missing">{texts.missing}</td>'
    start = f'<td class="cell-best">{texts.best_mark}' if cell.best else "<td>"
    if kind == "number":
        text = escape(cell.text)
        title = "" if cell.entered == cell.text else f' title="{escape(cell.entered)}"'
        bar = "" if cell.bar is None else f'<i class="cmp-bar b{cell.bar_step}"></i>'
        return f'{start}<span class="value-number"{title}>{text}</span>{bar}</td>'
    if kind == "text":
        return f'{start}<span class="value-text">{escape(cell.text)}</span></td>'
    return f"{start}{_value(kind, cell.stored, cell.text, label, texts)}</td>"


def register_value_html(app: Flask) -> None:
    """Make :func:`value_html` and :func:`compare_rows_html` callable from every template."""
    app.add_template_global(value_html, "value_html")
    app.add_template_global(compare_rows_html, "compare_rows_html")
