"""`flask --app run users create …`"""
import click
from flask.cli import AppGroup

from ..errors import DomainError
from . import services

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["attendee", "staff", "organiser"]), default="attendee")
@click.option("--booth", "booth", default=None, help="slug of the booth this person staffs")
def create(email, password, name, role, booth):
    """Create an account."""
    try:
        user = services.create_user(email, password, name, role, booth)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")
