"""Organiser API: event figures (JSON and CSV) and a person lookup for staffing booths."""
from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from exhibition.admin import services
from exhibition.runtime.clock import utcnow
from exhibition.runtime.http import organiser_required

bp = Blueprint("admin_api", __name__, url_prefix="/api/admin")


@bp.get("/stats")
@organiser_required
def stats():
    return jsonify(services.event_stats(current_user))


@bp.get("/stats.csv")
@organiser_required
def stats_csv():
    body = services.stats_csv(services.event_stats(current_user))
    filename = f"ecc-figures-{utcnow():%Y%m%d-%H%M}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/users")
@organiser_required
def users():
    found = services.find_users(request.args.get("q"))
    return jsonify({"users": [u.to_dict(include_email=True) for u in found]})
