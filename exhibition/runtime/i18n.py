"""Language and time zone selection, and compiling the catalogues on start."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, request, session
from flask_login import current_user

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    lang = request.args.get("lang")
    if lang is not None and lang in languages:
        session["lang"] = lang
        return lang
    if session.get("lang") in languages:
        return str(session["lang"])
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if getattr(current_user, "is_authenticated", False) and current_user.timezone:
        return current_user.timezone
    return current_app.config["EVENT_TIMEZONE"]


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


ROOT = Path(__file__).resolve().parents[2]  # the project folder: babel.cfg, static/js


@cache
def script_messages(root: Path = ROOT) -> tuple[str | tuple[str, str], ...]:
    """The texts the page scripts ask for: every ``t("…")`` (a msgid) and ``tn("…", "…", n)``
    (singular, plural) in the files of babel.cfg's ``[javascript: …]`` section, read once per
    process with Babel's JavaScript extractor and that section's keywords, the same way
    ``pybabel extract`` puts them into the catalogue. So there is no list to keep by hand."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with (root / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found: dict[str | tuple[str, str], None] = {}
    for pattern, method in method_map:
        if method != "javascript":
            continue
        # walk only the folders the pattern can match (static/js/**.js: static, static/js, …)
        base = pattern.split("*", 1)[0].rsplit("/", 1)[0]

        def inside(path: str, base: str = base) -> bool:
            relative = Path(path).relative_to(root).as_posix()
            return base == relative or base.startswith(relative + "/") or relative.startswith(base + "/")

        for _filename, _lineno, message, _comments, _context in extract_from_dir(
                root, method_map=[(pattern, method)], options_map={pattern: options_map[pattern]},
                keywords={}, directory_filter=inside):
            found[(message[0], message[1]) if isinstance(message, tuple) else message] = None
    return tuple(found)


def js_strings() -> dict[str, str | list[str]]:
    """The scripts' texts in the page's language: msgid → translation, and for a counted text
    singular msgid → [one, other] (English and German have these two forms).

    base.html puts them as JSON into ``<div hidden id="i18n-strings" data-strings="…">`` (no
    inline script of any kind: the CSP and the tests forbid it); ``Exhibition.t(text, params)``
    and ``Exhibition.tn(singular, plural, n, params)`` in static/js/app.js read it (falling back
    to the English text). Placeholders are written ``{name}`` and filled in there.
    """
    from flask_babel import get_translations

    translations = get_translations()
    strings: dict[str, str | list[str]] = {}
    for message in script_messages():
        if isinstance(message, tuple):
            singular, plural = message
            strings[singular] = [translations.ngettext(singular, plural, n) for n in (1, 2)]
        else:
            strings[message] = translations.gettext(message)
    return strings
