"""Tags, notes and queue names as the store keeps them: what a user says about a job."""

from __future__ import annotations

import re
from collections.abc import Mapping

from solverq.plugins.errors import RejectedRequest, shortened
from solverq.worker.store.json_sql import KEY_PATTERN

MAX_TAG_LENGTH = 200
MAX_NOTE_LENGTH = 10_000
MAX_QUEUE_LENGTH = 200
QUEUE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")
"""A broker queue name: letters, digits and `_ . : -`, not starting with punctuation."""


def checked_tags(tags: Mapping[str, str] | None) -> dict[str, str]:
    """Tags as they are stored: names like `run` or `data-set`, values strings."""
    checked: dict[str, str] = {}
    for key, value in (tags or {}).items():
        if not KEY_PATTERN.fullmatch(key):
            raise RejectedRequest(f"malformed tag name '{key}': use names like run or data-set")
        if not isinstance(value, str) or len(value) > MAX_TAG_LENGTH:
            raise RejectedRequest(
                f"tag '{key}' must be a string of at most {MAX_TAG_LENGTH} characters"
            )
        checked[key] = value
    return checked


def checked_note(note: str | None) -> str | None:
    """A note as it is stored (stripped; None when empty)."""
    if note is None:
        return None
    if len(note) > MAX_NOTE_LENGTH:
        raise RejectedRequest(f"a note holds at most {MAX_NOTE_LENGTH} characters")
    return note.strip() or None


def checked_queue(queue: str | None) -> str | None:
    """A broker queue name as it is stored and published to (None: no queue)."""
    if queue is None:
        return None
    if len(queue) > MAX_QUEUE_LENGTH:
        raise RejectedRequest(
            f"queue name has {len(queue)} characters; at most {MAX_QUEUE_LENGTH} are allowed"
        )
    if not QUEUE_PATTERN.fullmatch(queue):
        raise RejectedRequest(
            f"malformed queue name '{shortened(queue)}': use letters, digits and _ . : -"
        )
    return queue
