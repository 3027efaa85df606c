"""HTTP API for booths (docs/api/openapi.yaml): hall, booth, staff, leads, figures."""
from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from exhibition.booths import services
from exhibition.runtime.http import json_body, login_required_api, no_content

bp = Blueprint("booths_api", __name__, url_prefix="/api")


@bp.get("/booths")
@login_required_api
def hall():
    return jsonify({"booths": services.hall(request.args.get("q"), request.args.get("topic"))})


@bp.get("/booths/<slug>")
@login_required_api
def booth(slug):
    return jsonify(services.booth_detail(services.visit(current_user, slug)))


@bp.post("/booths")
@login_required_api
def create():
    created = services.create_booth(current_user, json_body())
    return jsonify(services.booth_detail(created)), 201


@bp.patch("/booths/<slug>")
@login_required_api
def update(slug):
    updated = services.update_booth(current_user, slug, json_body())
    return jsonify(services.booth_detail(updated))


@bp.delete("/booths/<slug>")
@login_required_api
def delete(slug):
    services.delete_booth(current_user, slug)
    return no_content()


@bp.put("/booths/<slug>/staff/<int:user_id>")
@login_required_api
def add_staff(slug, user_id):
    services.set_staff(current_user, slug, user_id, True)
    return no_content()


@bp.delete("/booths/<slug>/staff/<int:user_id>")
@login_required_api
def remove_staff(slug, user_id):
    services.set_staff(current_user, slug, user_id, False)
    return no_content()


@bp.post("/booths/<slug>/leads")
@login_required_api
def leave_lead(slug):
    data = json_body()
    lead, created = services.leave_lead(current_user, slug, data.get("note"), data.get("share_contact"))
    return jsonify({"lead": services.lead_dict(lead)}), 201 if created else 200


@bp.get("/booths/<slug>/leads")
@login_required_api
def leads(slug):
    return jsonify({"leads": [services.lead_dict(lead) for lead in services.list_leads(current_user, slug)]})


@bp.get("/booths/<slug>/leads.csv")
@login_required_api
def leads_csv(slug):
    body = services.leads_csv(current_user, slug)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="leads-{slug}.csv"',
        "Cache-Control": "no-store"})


@bp.get("/booths/<slug>/stats")
@login_required_api
def stats(slug):
    return jsonify(services.stats_for(current_user, slug))
