# The solverq image: the CLI, the workers, the dashboard and Flower. Built by docker-compose.yml.
FROM python:3.11-slim

# A C compiler: the euler plugin compiles the right-hand sides of ODE problems to native code.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/solverq
COPY pyproject.toml README.md ./
COPY solvers ./solvers
COPY plugins ./plugins
COPY worker ./worker
COPY cli ./cli
COPY web ./web
COPY solverq ./solverq
RUN pip install --no-cache-dir ".[monitor,datasets]"

RUN useradd --create-home solverq
USER solverq
WORKDIR /data
CMD ["solverq", "--help"]
