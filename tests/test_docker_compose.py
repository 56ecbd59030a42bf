"""docker-compose.yml and the Dockerfile name only what exists in the project.

Docker cannot run here: the files are parsed, and every command, build step, variable and port
they name is checked against the project itself.
"""

from __future__ import annotations

import importlib
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml
from celery import Celery
from celery.bin.celery import celery as celery_command
from fastapi.testclient import TestClient

from solverq.cli.main import app
from solverq.cli.worker import node_name
from solverq.plugins.errors import RejectedRequest
from solverq.web.app import create_app
from solverq.web.auth import check_exposure
from solverq.worker.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
OUR_IMAGE = sorted(name for name, service in SERVICES.items() if "build" in service)
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text().splitlines()
HELP = ("-h", "--help")
DOT_ENV = {
    "POSTGRES_PASSWORD": "pg-secret",
    "REDIS_PASSWORD": "redis-secret",
    "FLOWER_BASIC_AUTH": "admin:flower-secret",
    "SOLVERQ_API_TOKEN": "api-secret",
}
"""The values a `.env` file gives, as compose substitutes them."""
SETTINGS_SOURCE = (ROOT / "worker" / "settings.py").read_text()


def interpolated(value: Any, environment: dict[str, str] = DOT_ENV) -> Any:
    """`value` with `${VAR:?message}` replaced as compose does when `environment` sets VAR."""
    if isinstance(value, dict):
        return {key: interpolated(item, environment) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolated(item, environment) for item in value]
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+):\?[^}]*\}", lambda match: environment[match[1]], value)
    return value


def commands() -> list[tuple[str, list[str]]]:
    """Every command our image runs: the services' commands and the health checks."""
    found = []
    for name in OUR_IMAGE:
        service = SERVICES[name]
        if "command" in service:
            found.append((name, service["command"]))
        test = service.get("healthcheck", {}).get("test")
        if test and test[0] == "CMD-SHELL":
            found.append((name, test[1].split()))
        elif test:
            found.append((name, test[1:]))
    return found


def solverq_command(words: list[str]) -> Any:
    """The `solverq` command that `words` (after `solverq`) name, checking each option."""
    command = typer.main.get_command(app)
    arguments = iter(words)
    for word in arguments:
        if word.startswith("-"):
            name = word.split("=")[0]
            options = {option: param for param in command.params for option in param.opts}
            assert name in options or name in HELP, f"solverq has no option {word}"
            if name in options and not options[name].is_flag and "=" not in word:
                next(arguments)
        else:
            assert word in getattr(command, "commands", {}), f"solverq has no command {word}"
            command = command.commands[word]
    return command


def test_the_services_of_the_pool_are_there() -> None:
    assert set(SERVICES) == {"redis", "postgres", "migrate", "worker", "web", "flower", "cli"}
    assert OUR_IMAGE == ["cli", "flower", "migrate", "web", "worker"]


def test_every_solverq_command_exists() -> None:
    run = [words for _, words in commands() if words[0] == "solverq"]
    assert len(run) == 3
    for words in run:
        solverq_command(words[1:])
    solverq_command(["submit", "--wait"])
    solverq_command(["--help"])


def test_celery_commands_load_our_app_and_exist() -> None:
    run = [words for _, words in commands() if words[0] == "celery"]
    assert len(run) == 2
    for words in run:
        assert words[1:3] == ["-A", "solverq.worker.celery_app"]
        assert isinstance(importlib.import_module("solverq.worker.celery_app").app, Celery)
        subcommand = words[3]
        if subcommand == "flower":
            assert "flower>=2" in PYPROJECT["project"]["optional-dependencies"]["monitor"]
        else:
            assert subcommand in celery_command.commands


def test_the_worker_health_check_names_the_worker() -> None:
    words = SERVICES["worker"]["healthcheck"]["test"][1].split()
    destination = words[words.index("--destination") + 1]
    assert destination.replace("$$", "$") == node_name(1, "$HOSTNAME")


def test_every_variable_is_one_solverq_reads() -> None:
    for name in OUR_IMAGE:
        for variable in SERVICES[name]["environment"]:
            if name == "flower" and variable == "FLOWER_BASIC_AUTH":
                continue
            assert variable.startswith("SOLVERQ_")
            assert f'"{variable}"' in SETTINGS_SOURCE, (
                f"worker/settings.py does not read {variable}"
            )


def test_urls_name_the_services_and_their_credentials() -> None:
    environment = interpolated(SERVICES["worker"]["environment"])
    database = urlsplit(environment["SOLVERQ_DATABASE_URL"])
    postgres = interpolated(SERVICES["postgres"]["environment"])
    assert (database.scheme, database.hostname, database.port) == ("postgresql", "postgres", 5432)
    assert (database.username, database.password, database.path) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
        f"/{postgres['POSTGRES_DB']}",
    )
    broker = urlsplit(environment["SOLVERQ_BROKER_URL"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    assert broker.password == DOT_ENV["REDIS_PASSWORD"]
    redis = interpolated(SERVICES["redis"])
    assert redis["command"][-2:] == ["--requirepass", DOT_ENV["REDIS_PASSWORD"]]
    assert redis["environment"] == {"REDISCLI_AUTH": DOT_ENV["REDIS_PASSWORD"]}


def test_passwords_come_only_from_the_environment() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?[^}]+\}", text))
    assert required == {
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "FLOWER_BASIC_AUTH",
        "SOLVERQ_API_TOKEN",
    }
    assert set(re.findall(r"\$\{(\w+)", text)) == required  # no default to fall back on
    example = (ROOT / ".env.example").read_text()
    assert set(re.findall(r"^(\w+)=$", example, re.MULTILINE)) == required
    for ignore in (".gitignore", ".dockerignore"):
        assert ".env" in (ROOT / ignore).read_text().splitlines()
    assert (
        interpolated(SERVICES["postgres"])["environment"]["POSTGRES_PASSWORD"]
        == (DOT_ENV["POSTGRES_PASSWORD"])
    )


def test_flower_asks_for_a_password_from_the_environment() -> None:
    flower = interpolated(SERVICES["flower"])
    assert f"--basic_auth={DOT_ENV['FLOWER_BASIC_AUTH']}" in flower["command"]
    assert flower["environment"]["FLOWER_BASIC_AUTH"] == DOT_ENV["FLOWER_BASIC_AUTH"]
    assert "FLOWER_BASIC_AUTH" in flower["healthcheck"]["test"][-1]


def test_only_the_dashboard_and_flower_on_the_loopback_interface_are_published() -> None:
    published = {name: service["ports"] for name, service in SERVICES.items() if "ports" in service}
    assert published == {"web": ["8000:8000"], "flower": ["127.0.0.1:5555:5555"]}
    assert "--port=5555" in SERVICES["flower"]["command"]
    command = SERVICES["web"]["command"]
    assert command[command.index("--port") + 1] == "8000"


def test_the_dashboard_will_not_start_without_a_token() -> None:
    web = SERVICES["web"]
    token = web["environment"]["SOLVERQ_API_TOKEN"]
    assert re.fullmatch(r"\$\{SOLVERQ_API_TOKEN:\?[^}]+\}", token), (
        "compose must refuse an unset token"
    )
    command = web["command"]
    host = command[command.index("--host") + 1]
    with pytest.raises(RejectedRequest, match="without SOLVERQ_API_TOKEN"):
        check_exposure(host, None)
    check_exposure(host, "a token")


def test_the_dashboard_uses_the_pools_database_and_broker() -> None:
    web, worker = SERVICES["web"]["environment"], SERVICES["worker"]["environment"]
    assert {key: web[key] for key in worker} == worker
    assert SERVICES["web"]["depends_on"] == SERVICES["worker"]["depends_on"]


def test_the_dashboard_health_check_asks_a_page_that_needs_no_token(sqlite_url) -> None:
    check = SERVICES["web"]["healthcheck"]["test"]
    url = urlsplit(re.search(r"urlopen\('([^']+)'\)", check[-1]).group(1))
    assert (url.scheme, url.hostname, url.port) == ("http", "127.0.0.1", 8000)
    settings = replace(Settings.from_environment(), database_url=sqlite_url, api_token="a token")
    with TestClient(create_app(settings, runner=lambda job_ids: None)) as client:
        assert client.get(url.path).status_code == 200
        assert client.get("/api/jobs").status_code == 401


def test_redis_persists_and_postgres_keeps_a_volume() -> None:
    assert SERVICES["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]
    assert SERVICES["redis"]["volumes"] == ["redis-data:/data"]
    assert SERVICES["postgres"]["volumes"] == ["postgres-data:/var/lib/postgresql/data"]
    assert set(COMPOSE["volumes"]) == {"redis-data", "postgres-data"}


def test_workers_scale_and_start_after_the_migrations() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["depends_on"] == {
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert SERVICES["migrate"]["command"] == ["solverq", "db", "upgrade"]
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}


def test_services_waited_for_have_health_checks() -> None:
    for service in SERVICES.values():
        for name, condition in service.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in SERVICES[name], f"{name} has no health check"
    for name in ("redis", "postgres", "worker", "flower"):
        assert "healthcheck" in SERVICES[name]


def test_the_cli_service_runs_only_when_asked_and_sees_the_current_directory() -> None:
    cli = SERVICES["cli"]
    assert cli["profiles"] == ["cli"]
    assert cli["volumes"] == [".:/data"]
    assert "WORKDIR /data" in DOCKERFILE


@pytest.mark.parametrize(
    "line", [line for line in DOCKERFILE if line.startswith("COPY ")], ids=lambda line: line[5:]
)
def test_every_copied_path_exists(line: str) -> None:
    *sources, _ = line.split()[1:]
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"


def test_the_image_holds_every_package_and_installs_known_extras() -> None:
    copied = {
        source for line in DOCKERFILE if line.startswith("COPY ") for source in line.split()[1:-1]
    }
    folders = PYPROJECT["tool"]["setuptools"]["package-dir"].values()
    assert set(folders) <= copied
    assert PYPROJECT["project"]["readme"] in copied
    [install] = [line for line in DOCKERFILE if "pip install" in line]
    extras = re.search(r"\.\[([\w,]+)\]", install).group(1).split(",")
    assert set(extras) <= set(PYPROJECT["project"]["optional-dependencies"])


def test_the_image_is_python_3_11_slim_with_a_c_compiler() -> None:
    assert DOCKERFILE[1] == "FROM python:3.11-slim"
    assert any("apt-get install" in line and " gcc " in line for line in DOCKERFILE)
    [cmd] = [line for line in DOCKERFILE if line.startswith("CMD ")]
    assert cmd == 'CMD ["solverq", "--help"]'
