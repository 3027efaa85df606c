"""Login and registration pages. The forms post to these pages (no JavaScript
needed) and call the same services as the JSON API."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exhibition.accounts import services
from exhibition.accounts.views import end_session, start_session
from exhibition.errors import Conflict, DomainError
from exhibition.runtime.http import safe_next

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        try:
            user = services.authenticate(request.form.to_dict())
        except DomainError as err:
            error = _("Too many failed attempts. Please wait 15 minutes.") if err.status == 429 \
                else _("Wrong e-mail or password.")
            return render_template("accounts/login.html", error=error, next=next_url,
                                   email=request.form.get("email", "")), err.status
        start_session(user)
        return redirect(next_url)
    if current_user.is_authenticated:
        return redirect(next_url)
    return render_template("accounts/login.html", error=error, next=next_url, email="")


@bp.route("/register", methods=["GET", "POST"])
def register():
    next_url = safe_next(request.values.get("next"))
    if request.method == "POST":
        try:
            user = services.register(request.form.to_dict())
        except DomainError as err:
            return render_template("accounts/register.html", error=_register_error(err), next=next_url,
                                   form=request.form), err.status
        start_session(user)
        return redirect(next_url)
    return render_template("accounts/register.html", error=None, next=next_url, form={})


def _register_error(err: DomainError) -> str:
    """The registration form's message for a person, in their language, by the field at
    fault (the API keeps the English developer message)."""
    if isinstance(err, Conflict):
        return _("An account with this e-mail address exists already.")
    if err.field == "password":
        return _("The password must be between %(min)d and %(max)d characters long.",
                 min=services.MIN_PASSWORD, max=services.MAX_PASSWORD)
    if err.field == "email":
        return _("Please enter a valid e-mail address.")
    if err.field == "display_name":
        return _("Please enter your name (at most %(max)d characters).", max=services.MAX_DISPLAY_NAME)
    if err.field == "organisation":
        return _("The organisation may have at most %(max)d characters.", max=services.MAX_ORGANISATION)
    return _("Please check your entries.")


@bp.post("/logout")
def logout():
    end_session()
    return redirect(url_for("accounts.login"))
