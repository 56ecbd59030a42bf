"""The dashboard and the HTTP API of `solverq serve`: thin routes over the job and sweep
services, one module per resource, rendering JSON or server-side templates."""
