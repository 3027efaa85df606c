"""HTML pages: the booth hall (/booths) and a booth (/booths/<slug>).

The hall's search is a GET form; leaving contact details is a POST form — both work
without JavaScript. Editing a booth uses the JSON API from static/js/booths.js."""
from __future__ import annotations


from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import login_page_required
from .. import presence
from ..errors import DomainError, page_message
from ..markdown import render
from . import services

bp = Blueprint("booths", __name__)




@bp.get("/booths")
@login_page_required
def hall():
    q = (request.args.get("q") or "").strip()[:services.MAX_QUERY]
    topic = (request.args.get("topic") or "").strip()[:services.MAX_QUERY]
    booths = services.list_booths(q, topic)
    online = presence.online_user_ids()
    cards = [services.booth_card(b, online) for b in booths]
    return render_template("booths/hall.html", booths=cards, q=q, topic=topic,
                           topics=services.all_topics())


def _detail_context(slug: str, **extra) -> dict:
    booth = services.get_booth(slug)
    manager = services.can_manage_booth(current_user, booth)
    context = {
        "booth": services.booth_detail(booth),
        "description_html": render(booth.description),
        "can_manage": manager,
        "is_organiser": current_user.role == "organiser",
        "my_lead": services.own_lead(current_user, booth),
        "leads": [services.lead_dict(lead) for lead in services.list_leads(current_user, slug)] if manager else [],
        "stats": services.booth_stats(slug) if manager else None,
        "lead_error": None,
        "lead_note": "",
        # the booth chat panel (templates/chat/_panel.html) reads these
        "chat_room": "booth:" + booth.slug,
        "chat_title": _("Booth chat"),
    }
    context.update(extra)
    return context


@bp.get("/booths/<slug>")
@login_page_required
def detail(slug):
    services.record_visit(current_user.id, services.get_booth(slug))
    return render_template("booths/detail.html", **_detail_context(slug))


@bp.post("/booths/<slug>/lead")
@login_page_required
def leave_lead(slug):
    services.get_booth(slug)
    note = request.form.get("note", "")
    consent = request.form.get("share_contact") in ("1", "on", "true")
    try:
        _lead, created = services.leave_lead(current_user, slug, note, consent or None)
    except DomainError as err:
        if "share_contact" in err.message:
            message = _("Please tick the box to agree to share your contact details.")
        elif err.message.startswith("note"):
            message = _("The note may have at most %(max)d characters.", max=2000)
        else:
            message = page_message(err.status)
        return render_template("booths/detail.html",
                               **_detail_context(slug, lead_error=message, lead_note=note)), err.status
    flash(_("Thank you! The cluster will get in touch.") if created
          else _("Your note for this cluster was updated."))
    return redirect(url_for("booths.detail", slug=slug) + "#lead")
