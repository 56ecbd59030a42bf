"""The job service: the job store, job execution, and the Celery app and tasks."""
