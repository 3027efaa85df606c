"""Language and time zone selection, and compiling the catalogues on start."""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request, session
from flask_login import current_user

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    lang = request.args.get("lang")
    if lang in languages:
        session["lang"] = lang
        return lang
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if getattr(current_user, "is_authenticated", False) and current_user.timezone:
        return current_user.timezone
    return current_app.config["EVENT_TIMEZONE"]


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """A counted text for scripts that update a number live: {"one": …, "other": …}
    in the page's language, with ``{n}`` where the number goes (the msgids use
    ``%(num)d``, as ``ngettext`` in templates). English and German have these two forms."""
    from flask_babel import get_translations

    translations = get_translations()
    return {form: translations.ngettext(singular, plural, n).replace("%(num)d", "{n}")
            for form, n in (("one", 1), ("other", 2))}


def compile_translations() -> None:
    """Compile every .po whose .mo is missing or older, so a fresh clone needs no extra step."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalog = read_po(f)
        tmp = mo.with_suffix(".mo.tmp")
        with tmp.open("wb") as f:
            write_mo(f, catalog)
        tmp.replace(mo)


def js_strings() -> dict[str, str]:
    """Texts the page scripts build themselves, English source text → the page's language.

    base.html puts them as JSON into ``<div hidden id="i18n-strings" data-strings="…">`` (no
    inline script of any kind: the CSP and the tests forbid it); ``Exhibition.t(key, params)``
    in static/js/app.js reads it (falling back to the key).
    Placeholders are written ``{name}`` and filled in by ``Exhibition.t``.
    """
    from flask_babel import gettext as _

    return {
        "Error:": _("Error:"),
        "The request failed.": _("The request failed."),
        "attendee": _("attendee"),
        "staff": _("staff"),
        "organiser": _("organiser"),
        # the API's error codes in people's words (static/js/app.js errorText)
        "Please check your entries.": _("Please check your entries."),
        "Please log in first.": _("Please log in first."),
        "You are not allowed to do this.": _("You are not allowed to do this."),
        "You are muted in this chat at the moment.": _("You are muted in this chat at the moment."),
        "This does not exist (any more).": _("This does not exist (any more)."),
        "This conflicts with something that exists already.":
            _("This conflicts with something that exists already."),
        "That is too large.": _("That is too large."),
        "Too many requests. Please wait a moment.": _("Too many requests. Please wait a moment."),
        "The form has expired. Please reload the page and try again.":
            _("The form has expired. Please reload the page and try again."),
        "Something went wrong on our side. Please try again later.":
            _("Something went wrong on our side. Please try again later."),
        "{when} with {name}: {status}": _("%(when)s with %(name)s: %(status)s",
                                          when="{when}", name="{name}", status="{status}"),
    }
