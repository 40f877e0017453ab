"""The ``python -m app`` commands, run as an operator would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.db import make_engine
from app.staff.accounts import verify_password
from app.staff.models import Role, StaffUser


def run_cli(*args: str, env_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={"APP_DATABASE_URL": env_url, "PATH": "/usr/bin:/bin", "APP_ENV": "test"},
        check=False,
    )


def test_db_upgrade_then_create_staff_reads_the_password_from_stdin(database_url: str) -> None:
    assert run_cli("db", "upgrade", env_url=database_url).returncode == 0
    result = run_cli(
        "create-staff",
        "--email",
        "Chef@Exemple.be",
        "--name",
        "Chef",
        "--role",
        "admin",
        "--role",
        "professional",
        env_url=database_url,
        stdin="un mot de passe solide\n",
    )
    assert result.returncode == 0, result.stderr
    assert "un mot de passe solide" not in result.stdout + result.stderr
    engine = make_engine(database_url)
    with Session(engine) as session:
        user = session.exec(select(StaffUser)).one()
    engine.dispose()
    assert user.email == "chef@exemple.be"
    assert user.role_set == {Role.admin, Role.professional}
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "un mot de passe solide")


@pytest.mark.parametrize(
    ("password", "message"),
    [("court", "au moins 12 caractères"), ("", "au moins 12 caractères")],
)
def test_create_staff_refuses_a_weak_password(
    database_url: str, password: str, message: str
) -> None:
    run_cli("db", "upgrade", env_url=database_url)
    result = run_cli(
        "create-staff",
        "--email",
        "a@b.be",
        "--name",
        "A",
        "--role",
        "admin",
        env_url=database_url,
        stdin=password + "\n",
    )
    assert result.returncode == 1
    assert message in result.stderr


def test_check_content_passes_on_the_real_content(tmp_path: Path) -> None:
    result = run_cli("check-content", env_url=f"sqlite:///{tmp_path}/x.sqlite3")
    assert result.returncode == 0, result.stdout
    assert "Contenu valide." in result.stdout
