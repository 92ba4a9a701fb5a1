"""Translatable messages without Flask: the domain marks its sentences, the web layer translates.

An error carries a ``Message``: a template and its parameters, written
``M_("%(label)s must be text.") % {"label": label}`` (``M_`` marks the template for
extraction like ``N_`` and makes a ``Message``; ``%`` gives it its parameters). Nothing
is translated when the error is raised; ``text(message)`` (what ``DomainError.message``
returns) looks the template up in the language of the moment it is shown (English when
no translator is installed or outside a request) and fills in the parameters,
translating those that are themselves a ``Message`` (a kind of thing, a word) or a
``Label`` (an attribute's label as the reader knows it). ``_`` translates a template
now, for text that is not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["N_", "_", "set_translator", "set_label_chooser", "shown_label", "language",
           "M_", "Message", "Label", "Sentences", "text"]


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


class Message:
    """A sentence to show later: ``template`` (the English text, the catalogue's message id)
    and the ``params`` filled into it (None: the template is shown as it is)."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, params: Mapping[str, object] | None = None):
        self.template = template
        self.params = dict(params) if params is not None else None

    def __str__(self) -> str:
        return text(self)

    def __mod__(self, params: Mapping[str, object]) -> Message:
        """This template with ``params`` to fill in when it is shown."""
        return Message(self.template, params)

    def __repr__(self) -> str:
        return f"Message({self.template!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Message) and other.template == self.template
                and other.params == self.params)

    def __hash__(self) -> int:
        return hash(self.template)


class Label:
    """A parameter naming an attribute: its label as the reader of the message knows it
    (its Chinese form on a Chinese page), chosen when the message is shown."""

    __slots__ = ("definition",)

    def __init__(self, definition):
        self.definition = definition

    def __str__(self) -> str:
        return shown_label(self.definition)


class Sentences:
    """A parameter of several sentences, each translated when shown and run together: a
    space after an English one, none after a Chinese one."""

    __slots__ = ("sentences",)

    def __init__(self, sentences):
        self.sentences = tuple(sentences)

    def __str__(self) -> str:
        return text(self)


def text(message: Message | Label | Sentences | str) -> str:
    """``message`` in the current language with its parameters filled in (a plain string is
    already text and comes back as it is)."""
    if isinstance(message, Label):
        return shown_label(message.definition)
    if isinstance(message, Sentences):
        joined = ""
        for sentence in message.sentences:
            if joined and not joined.endswith(("。", "！", "？")):
                joined += " "
            joined += text(sentence)
        return joined
    if not isinstance(message, Message):
        return message
    translated = _(message.template)
    if message.params is None:
        return translated
    return translated % {name: text(value) if isinstance(value, (Message, Label, Sentences))
                         else value
                         for name, value in message.params.items()}


def M_(template: str) -> Message:
    """Mark ``template`` for extraction and keep it as a ``Message`` to translate when shown;
    ``M_("%(n)s left.") % {"n": 3}`` gives it parameters."""
    return Message(template)
