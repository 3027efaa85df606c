"""HTML pages: the booth hall (/booths) and a booth (/booths/<slug>).

The hall's search is a GET form; leaving contact details is a POST form — both work
without JavaScript. Editing a booth uses the JSON API from static/js/booths.js."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exhibition.booths import services
from exhibition.errors import DomainError, page_message
from exhibition.realtime.rooms import Room
from exhibition.runtime.http import login_page_required
from exhibition.runtime.markdown import render

bp = Blueprint("booths", __name__)


@bp.get("/booths")
@login_page_required
def hall():
    q = (request.args.get("q") or "").strip()[:services.MAX_QUERY]
    topic = (request.args.get("topic") or "").strip()[:services.MAX_QUERY]
    return render_template("booths/hall.html", booths=services.hall(q, topic), q=q, topic=topic,
                           topics=services.all_topics())


def _detail_context(page: dict, **extra) -> dict:
    booth = page["booth"]
    return {
        **page,
        "booth": services.booth_detail(booth),
        "description_html": render(booth.description),
        "lead_error": None,
        "lead_note": "",
        # the booth chat panel (templates/chat/_panel.html) reads these
        "chat_room": Room.booth_room(booth.slug).name,
        "chat_title": _("Booth chat"),
    } | extra


def _lead_field_message(err: DomainError) -> str:
    """The form's words for what was wrong, by the field at fault."""
    if err.field == "share_contact":
        return _("Please tick the box to agree to share your contact details.")
    if err.field == "note":
        return _("The note may have at most %(max)d characters.", max=services.MAX_LEAD_NOTE)
    return page_message(err.status)


@bp.get("/booths/<slug>")
@login_page_required
def detail(slug):
    return render_template("booths/detail.html", **_detail_context(services.booth_page(current_user, slug)))


@bp.post("/booths/<slug>/lead")
@login_page_required
def leave_lead(slug):
    note = request.form.get("note", "")
    consent = request.form.get("share_contact") in ("1", "on", "true")
    try:
        _lead, created = services.leave_lead(current_user, slug, note, consent or None)
    except DomainError as err:
        page = services.booth_page(current_user, slug, count_visit=False)
        return render_template("booths/detail.html", **_detail_context(
            page, lead_error=_lead_field_message(err), lead_note=note)), err.status
    flash(_("Thank you! The cluster will get in touch.") if created
          else _("Your note for this cluster was updated."))
    return redirect(url_for("booths.detail", slug=slug) + "#lead")
