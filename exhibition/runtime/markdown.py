"""Safe Markdown: CommonMark without raw HTML, then an allow-list sanitiser.

``render(text)`` returns HTML that is safe to put into a page with ``|safe``:
no scripts, no event handlers, links only to http(s) and mailto, and every link
carries rel="noopener noreferrer nofollow".
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render(text: str | None) -> Markup:
    """Markdown → sanitised HTML (a Markup string, safe to insert into templates)."""
    if not text:
        return Markup("")
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)
