"""Every table of the site, imported in one place so Alembic and the tests see them all."""

from sqlmodel import SQLModel

from app.staff.models import StaffUser

metadata = SQLModel.metadata

__all__ = ["StaffUser", "metadata"]
