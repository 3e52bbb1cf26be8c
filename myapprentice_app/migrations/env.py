"""Alembic environment: the URL comes from Settings (or the caller), the schema from the models package."""

from alembic import context
from sqlmodel import SQLModel

import myapprentice_app.models  # noqa: F401  (registers every table)
from myapprentice_app.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    with get_engine(url).connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
