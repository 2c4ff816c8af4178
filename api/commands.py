"""Command-line tasks: `flask --app wsgi db|seed|members …`."""

import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import AppGroup

from api.errors import APIError
from api.models import Role
from api.worker import worker_command

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

db_cli = AppGroup("db", help="Database schema migrations.")
seed_cli = AppGroup("seed", help="Load data sets.")
members_cli = AppGroup("members", help="Manage member accounts.")


def alembic_config(connection=None):
    """Alembic settings for the app's database, or for an open `connection`."""
    config = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is None:
        config.set_main_option("sqlalchemy.url",
                               current_app.config["DATABASE_URL"].replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision):
    """Apply migrations up to REVISION (all by default)."""
    alembic_command.upgrade(alembic_config(), revision)
    click.echo(f"Database at {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Revert migrations down to REVISION."""
    alembic_command.downgrade(alembic_config(), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message):
    """Write a new migration from the difference between the models and the database."""
    alembic_command.revision(alembic_config(), message=message, autogenerate=True)


@seed_cli.command("demo")
def seed_demo():
    """Load the demo data set (safe to run again: only what is missing is added)."""
    from api.services.seed import DEMO_LOGINS
    from api.services.seed import seed_demo as load

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("The demo data set has known passwords; not in production.")
    added = load()
    click.echo("Demo data loaded: " + ", ".join(f"{n} {kind} added" for kind, n in
                                                added.items()) + ".")
    click.echo("Demo logins (development only):")
    for login in DEMO_LOGINS:
        click.echo(f"  {login['role'].value:<7} {login['email']}  password: {login['password']}")


@members_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="member",
              show_default=True)
@click.option("--full-name", help="Defaults to the part of the email before the @.")
def members_create(email, role, full_name):
    """Create an active member. The password is prompted for, or read from standard input."""
    from api.services.members import create_member

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        member = create_member(email, password, Role(role), full_name or email.split("@")[0])
    except APIError as error:
        messages = (error.errors or {}).get("json", {}).get("password") or [error.detail]
        raise click.ClickException(" ".join(messages)) from error
    click.echo(f"Created {member.role.value} {member.email} ({member.id}).")


def register_commands(app):
    for group in (db_cli, seed_cli, members_cli, worker_command):
        app.cli.add_command(group)
