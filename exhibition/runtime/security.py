"""Security headers on every answer, and request hygiene no route should have to repeat."""
from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

from exhibition.errors import Invalid, NotFound

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        """No name, slug or search term holds a NUL character, and PostgreSQL cannot
        even compare with one: refuse it before any route sees it (else a 500)."""
        if "\x00" in request.path:
            raise NotFound("no such page")
        pairs = list(request.args.items(multi=True))
        if any("\x00" in key or "\x00" in value for key, value in pairs):
            if request.path.startswith("/api/"):
                raise Invalid("query parameters must not contain NUL characters")
            # a page shows itself anyway, as if the NULs had not been typed
            request.args = ImmutableMultiDict(
                [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in pairs])

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
