import json
import subprocess
import sys

from solverq.worker.store.models import SCHEMA_REVISION


def test_info_names_the_database_and_mode(solverq, solverq_env, test_plugins) -> None:
    info = json.loads(solverq("info", "--json").stdout)
    assert info["mode"] == "embedded" and info["broker"] is None
    assert info["database"].startswith(solverq_env.database.url.split(":")[0])
    assert "echo" in info["plugins"]
    assert solverq("info").exit_code == 0


def test_info_uses_the_user_data_directory_by_default(solverq, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SOLVERQ_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    info = json.loads(solverq("info", "--json").stdout)
    assert info["data_directory"] == str(tmp_path / "solverq")
    assert info["database"] == f"sqlite:///{tmp_path / 'solverq' / 'solverq.db'}"


def test_db_upgrade_creates_the_schema(solverq, monkeypatch, postgres_url) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", postgres_url)
    assert solverq("list").exit_code == 2
    outcome = solverq("db", "upgrade")
    assert outcome.exit_code == 0, outcome.output
    assert f"is at revision {SCHEMA_REVISION}" in outcome.stdout
    assert solverq("list").exit_code == 0


def test_unreachable_database_is_one_line(solverq, monkeypatch) -> None:
    monkeypatch.setenv("SOLVERQ_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    outcome = solverq("list")
    assert outcome.exit_code == 1
    assert outcome.stderr.startswith("error: cannot use the database: ")
    assert outcome.stderr.count("\n") == 1


def test_help_imports_nothing_heavy() -> None:
    probe = (
        "import sys; from solverq.cli.main import app; "
        "heavy = {'numpy', 'sqlalchemy', 'pydantic', 'celery', 'scipy', 'autograd'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
