"""The "generated on" line: what to print, and how to make two runs print the same thing.

The generated file is meant to be committed and regenerated, and regenerating it is also how a
user checks that nothing changed in ilert (regenerate, ``diff``). So by default the header carries
only the day (UTC): two runs on the same day give byte-identical files. For fully reproducible
output the time can be pinned:

1. ``--timestamp``: ``none`` (no date at all), seconds since the epoch, or an ISO 8601 date or
   date-time (a date-time without a zone is taken as UTC);
2. else ``SOURCE_DATE_EPOCH`` (https://reproducible-builds.org/specs/source-date-epoch/);
3. else today's date in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
NO_TIMESTAMP = "none"


def _from_epoch(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> str | None:
    """The header text for a ``--timestamp`` value; ``ValueError`` if it is not one."""
    value = text.strip()
    if value.lower() == NO_TIMESTAMP:
        return None
    if value.isascii() and value.isdigit():
        return _from_epoch(int(value))
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise ValueError(
            f"expected 'none', seconds since the epoch or an ISO 8601 date or date-time, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve_timestamp(
    option: str | None,
    environ: Mapping[str, str],
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> str | None:
    """The text of the "generated" line, or ``None`` for no date (see the module docstring)."""
    if option is not None:
        return parse_timestamp(option)
    epoch = environ.get(SOURCE_DATE_EPOCH, "").strip()
    if epoch:
        if not (epoch.isascii() and epoch.isdigit()):
            raise ValueError(f"{SOURCE_DATE_EPOCH} must be a number of seconds, got {epoch!r}")
        return _from_epoch(int(epoch))
    return now().astimezone(timezone.utc).date().isoformat()
