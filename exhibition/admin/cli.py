"""`flask --app run users create …`"""
import click
from flask.cli import AppGroup

from exhibition.admin.services import create_account
from exhibition.errors import DomainError
from exhibition.policies import ROLES

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="attendee")
@click.option("--booth", "booth", default=None, help="slug of the booth this person staffs")
def create(email, password, name, role, booth):
    """Create an account."""
    try:
        user = create_account(email, password, name, role, booth)
    except DomainError as err:
        raise click.ClickException(err.message) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")
