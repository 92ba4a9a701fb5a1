"""Errors the domain raises; the web and API layers turn them into responses.

An error carries a ``Message`` (a template marked with ``N_`` and its parameters), never
translated text: ``.message`` (and ``str(error)``) gives it in the language of the moment it
is read, so an error raised outside a request reads in Chinese when a Chinese page shows it.
"""

from __future__ import annotations

from .messages import N_, Message, text


def _as_message(message: Message | str) -> Message:
    """A plain string is a template without parameters (translated when shown)."""
    return message if isinstance(message, Message) else Message(message)


class DomainError(Exception):
    """Base class of every error the domain raises; ``said`` is its ``Message``."""

    def __init__(self, message: Message | str = ""):
        self.said = _as_message(message)
        super().__init__(self.said)

    @property
    def message(self) -> str:
        """What the error says, in the current language (the request's, when shown)."""
        return text(self.said)

    @message.setter
    def message(self, value: Message | str) -> None:
        self.said = _as_message(value)

    def __str__(self) -> str:
        return self.message


class _AboutAField(DomainError):
    """An error a person can act on: ``message`` says it, ``field`` names what it is about
    (None: the whole request)."""

    def __init__(self, message: Message | str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidValue(_AboutAField):
    """A value that does not fit its type; ``message`` is a sentence a person can act on."""


class NotFound(DomainError):
    """The thing asked for does not exist."""

    #: The things that can be missing, marked for translation (the message names one).
    KINDS = {"Entry": N_("Entry"), "Attribute": N_("Attribute"), "Category": N_("Category"),
             "Version": N_("Version"), "User": N_("User"), "Avatar": N_("Avatar"),
             "File": N_("File")}

    def __init__(self, what: str, ident: object):
        super().__init__(Message(N_("%(what)s %(ident)s does not exist."),
                                 {"what": Message(self.KINDS.get(what, what)),
                                  "ident": repr(ident)}))
        self.what = what
        self.ident = ident


class Conflict(_AboutAField):
    """A write would break a uniqueness rule (a taken slug, username or key)."""


class AttributeExists(Conflict):
    """Adding an attribute the entry already has: ``current`` is its value, ``text`` how
    it reads. Nothing is replaced unless the editor confirms (or the API client PUTs)."""

    def __init__(self, key: str, label: str, current: dict, text: str):
        super().__init__(Message(N_("%(label)s is already %(value)s."),
                                 {"label": label, "value": text}), "key")
        self.key = key
        self.label = label
        self.current = current
        self.text = text


class StaleVersion(DomainError):
    """A write named a version that is no longer current: someone else saved first."""

    def __init__(self, expected: int, current: int, template: str | None = None):
        template = template or N_("This entry changed since you read it (you had version "
                                  "%(expected)s, it is now at version %(current)s). Reload, "
                                  "then apply your change again.")
        super().__init__(Message(template, {"expected": expected, "current": current}))
        self.expected = expected
        self.current = current


class Forbidden(DomainError):
    """The user may not do this."""

    def __init__(self, message: Message | str | None = None):
        super().__init__(N_("You are not allowed to do this.") if message is None else message)


class AccountBlocked(Forbidden):
    """The account was blocked by an administrator: it may not log in or write.

    ``reason`` is the administrator's reason, shown to the account's owner.
    """

    def __init__(self, reason: str):
        super().__init__(Message(N_("This account is blocked: %(reason)s"), {"reason": reason}))
        self.reason = reason


class RateLimited(DomainError):
    """A limit on how often something may be done is used up; wait ``retry_after`` s."""

    def __init__(self, message: Message | str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class TooManyAttempts(RateLimited):
    """Too many failed password checks for an account or address; wait ``retry_after`` s."""

    def __init__(self, retry_after: int):
        super().__init__(N_("Too many failed password attempts; try again later."), retry_after)


class Unconfirmed(Forbidden):
    """An account whose e-mail address is not confirmed tried to edit, where the site
    asks for a confirmed one (``REQUIRE_CONFIRMED``)."""

    def __init__(self, email: str):
        super().__init__(Message(N_("Confirm your e-mail address before you edit: open the "
                                    "link we sent to %(email)s, or have it sent again from "
                                    "your settings."), {"email": email}))
        self.email = email


class BadLink(DomainError):
    """A link from a mail (confirmation, password reset) that cannot be used; ``reason``
    is ``"invalid"`` (not one of ours, or mangled), ``"expired"`` or ``"used"``."""

    MESSAGES = {
        "invalid": N_("This link is not valid. Copy the whole address from the mail, or "
                      "ask for a new one."),
        "expired": N_("This link has expired. Ask for a new one."),
        "used": N_("This link has been used already, or a newer one replaced it. Ask for a "
                   "new one if you still need it."),
    }

    def __init__(self, reason: str):
        self.reason = reason
        #: 400 for a link that never was valid; 410 (Gone) for one that was.
        self.status = 400 if reason == "invalid" else 410
        super().__init__(self.MESSAGES[reason])
