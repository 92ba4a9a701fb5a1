"""Languages: English and Simplified Chinese (the original site's), chosen per request.

A ``?lang=`` link sets a cookie; otherwise the browser's ``Accept-Language`` decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import get_translations

from .extensions import babel

__all__ = ["LANGUAGES", "init_i18n", "select_locale", "fresh_translations"]

#: Locale code → the language's own name (for the switcher).
LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}
COOKIE = "pkyx_lang"
ONE_YEAR = 365 * 24 * 3600


def select_locale() -> str:
    """The locale of this request: ?lang=, then the cookie, then Accept-Language."""
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        _LANG_PICKED.set(request.args.get("lang") == chosen)
        return chosen
    best = request.accept_languages.best_match(["en", "zh", "zh-CN", "zh-Hans", "zh-SG"])
    return "zh_Hans" if best and best.startswith("zh") else "en"


#: This request's translations, looked up on first use (a context variable: a template
#: translates ~60 strings a page, and reading ``g`` through its proxy each time costs more
#: than the look-up). Cleared at the start of every request, so a reused thread never
#: sees the previous request's language.
_TRANSLATIONS: ContextVar = ContextVar("pkyx_translations", default=None)
#: Whether this request picked its language with ``?lang=`` (the cookie then remembers it);
#: cleared with the translations.
_LANG_PICKED: ContextVar = ContextVar("pkyx_lang_picked", default=False)


def _translations():
    """This request's translations, looked up on its first use."""
    found = _TRANSLATIONS.get()
    if found is None:
        found = get_translations()
        _TRANSLATIONS.set(found)
    return found


@contextmanager
def fresh_translations() -> Iterator[None]:
    """Look the translations up anew inside (and again after): for text in another
    language than the request's, such as a mail under ``force_locale``."""
    token = _TRANSLATIONS.set(None)
    try:
        yield
    finally:
        _TRANSLATIONS.reset(token)


def init_i18n(app: Flask) -> None:
    """Bind Flask-Babel, translate the domain's messages, remember a language picked with ?lang=."""
    babel.init_app(app, locale_selector=select_locale)

    @app.before_request
    @app.teardown_request
    def forget_translations(*_error) -> None:
        _TRANSLATIONS.set(None)
        _LANG_PICKED.set(False)

    # Flask-Babel finds the catalogue anew for every string a template translates (a
    # page has ~60); find it once a request. pkyx never changes locale within one.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

    from flask import has_request_context
    from flask_babel import get_locale, gettext

    from app.domain.messages import set_label_chooser, set_translator

    def translate(text: str) -> str:
        """The domain's message template in this request's language; English outside one."""
        return gettext(text) if has_request_context() else text

    def label(definition) -> str:
        """A definition's label in this request's language; English outside one."""
        if has_request_context() and str(get_locale()) == "zh_Hans":
            return definition.label_in(True)
        return definition.label

    def language() -> str:
        """This request's language; English outside one."""
        return str(get_locale()) if has_request_context() else "en"

    set_translator(translate, language)
    set_label_chooser(label)

    @app.after_request
    def remember_language(response):
        if not _LANG_PICKED.get():
            return response
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            response.set_cookie(COOKIE, lang, max_age=ONE_YEAR, samesite="Lax",
                                secure=app.config["SESSION_COOKIE_SECURE"], httponly=True)
        return response

    @app.context_processor
    def languages():
        from flask_babel import get_locale

        return {"LANGUAGES": LANGUAGES, "current_locale": str(get_locale()),
                "lang_url": lang_url}


def lang_url(code: str) -> str:
    """This page in another language: the same path and query, with ``lang`` set."""
    args = {name: values for name, values in request.args.lists() if name != "lang"}
    return request.path + "?" + urlencode({**args, "lang": [code]}, doseq=True)
