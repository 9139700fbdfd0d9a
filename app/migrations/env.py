"""Alembic environment: migrations run on the connection ClientFile hands over (never a URL)."""
from __future__ import annotations

from alembic import context

from app.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run on config.attributes['connection'] with SQLite batch mode for ALTERs."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("ClientFile migrations run online only")
run_migrations_online()
