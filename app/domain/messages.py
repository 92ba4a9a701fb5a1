"""Translatable messages without Flask: the domain marks its sentences, the web layer translates.

Domain code writes ``_("%(label)s must be text.") % {"label": label}``: the template is
looked up in the current language (English when no translator is installed or outside a
request), then the values are filled in. ``N_`` only marks a string for extraction; the
code translates it with ``_`` where it is used.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["N_", "_", "set_translator", "set_label_chooser", "shown_label", "language"]


def _identity(text: str) -> str:
    return text


def _english() -> str:
    return "en"


_translator: Callable[[str], str] = _identity
_language: Callable[[], str] = _english


def set_translator(translator: Callable[[str], str] | None,
                   language: Callable[[], str] | None = None) -> None:
    """Install the function that translates a message template, and the one that names
    the language it translates into now (None: back to English)."""
    global _translator, _language
    _translator = translator or _identity
    _language = language if translator and language else _english


def language() -> str:
    """The language messages are translated into now ("en", "zh_Hans"…): what a result
    holding translated words is remembered by."""
    return _language()


def _english_label(definition) -> str:
    return definition.label


_label_chooser: Callable[[object], str] = _english_label


def set_label_chooser(chooser: Callable[[object], str] | None) -> None:
    """Install the function that picks a definition's label for the current reader
    (its Chinese form on a Chinese page); None: always the English label."""
    global _label_chooser
    _label_chooser = chooser or _english_label


def shown_label(definition) -> str:
    """An attribute's label as the current reader should see it in a message."""
    return _label_chooser(definition)


def _(text: str) -> str:
    """``text`` (a message template) in the current language."""
    return _translator(text)


def N_(text: str) -> str:
    """Mark ``text`` for extraction without translating it now."""
    return text
