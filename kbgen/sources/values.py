"""Turning raw export values into Ticket fields: ids, timestamps and text.

Each function raises :class:`ValueProblem` with a message for the user; the
source wraps it in a :class:`~kbgen.exceptions.SourceError` that names the
file, record and field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.text import DEFAULT_MISSING, clean_text, is_missing, plain_to_markdown

# Text fields longer than this are cut, with a visible marker and a ticket flag.
MAX_TEXT_CHARS = 128 * 1024

_FLOAT_ID = re.compile(r"^([+-]?\d+)\.0+$")
_ISO_ZONE = re.compile(r"([+-])(\d{2}):?(\d{2})$")
_AMBIGUOUS = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ T].*)?$")

# Formats tried when a source has no explicit format: all ISO-like, so never ambiguous.
ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


_LAST_FORMAT: dict[tuple[str, ...], str] = {}


class ValueProblem(ValueError):
    """A value that cannot become a Ticket field; the message is shown to the user."""


def normalise_id(value: str) -> str:
    """``1004298.0`` -> ``1004298``; leading zeros and letters are kept as written.

    Never goes through ``float``: that would turn long ids into ``1e+06`` forms.
    """
    value = clean_text(value)
    if not value:
        raise ValueProblem("the id is empty")
    match = _FLOAT_ID.match(value)
    if match:
        return match.group(1)
    if re.fullmatch(r"[+-]?\d+\.\d+", value) or re.fullmatch(r"[\d.]+[eE][+-]?\d+", value):
        raise ValueProblem(f"id '{value}' is not a whole number; export ids as text")
    return value


def parse_datetime(value: str, formats: Sequence[str] = ISO_FORMATS) -> dt.datetime:
    """Parse with the given formats only; never guess day-month order.

    ``+0000`` and ``+00:00`` offsets and a trailing ``Z`` are accepted (Jira and
    ServiceNow write them differently); results keep their timezone when given.
    """
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+0000"
    text = _ISO_ZONE.sub(r"\1\2\3", text) if re.search(r"\d[+-]\d{2}:?\d{2}$", text) else text
    # Exports use one format throughout: try the one that worked last time first.
    formats = tuple(formats)
    last = _LAST_FORMAT.get(formats)
    for fmt in (last, *formats) if last else formats:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        _LAST_FORMAT[formats] = fmt
        return parsed
    ambiguous = _AMBIGUOUS.match(text)
    if ambiguous and int(ambiguous.group(1)) <= 12 and int(ambiguous.group(2)) <= 12:
        raise ValueProblem(
            f"date '{value}' is ambiguous (day and month could be swapped); export ISO dates "
            "or read the file with a mapping whose date_format says the order, e.g. '%d/%m/%Y'"
        )
    shown = ", ".join(f"'{f}'" for f in formats[:3]) + (" ..." if len(formats) > 3 else "")
    raise ValueProblem(f"'{value}' is not a date in the expected format ({shown})")


def optional_datetime(
    value: str | None, formats: Sequence[str] = ISO_FORMATS, missing: Iterable[str] = ()
) -> dt.datetime | None:
    if value is None or is_missing(value, set(DEFAULT_MISSING) | set(missing)):
        return None
    return parse_datetime(value, formats)


def limit_text(text: str, field: str, flags: list[str]) -> str:
    """Cut text longer than :data:`MAX_TEXT_CHARS` and flag the ticket for the reviewer."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    flags.append(f"truncated:{field}")
    omitted = len(text) - MAX_TEXT_CHARS
    return (
        text[:MAX_TEXT_CHARS] + f"\n\n[kbgen: {omitted} more characters were cut from this field]"
    )


def has_nul(value: str) -> bool:
    return "\x00" in value


def markdown(text: str | None, field: str, flags: list[str]) -> str:
    """Plain export text -> safe Markdown, length-limited."""
    return plain_to_markdown(limit_text(clean_text(text), field, flags))


def timestamp(value: object, *, path: object, record: str, field: str) -> dt.datetime | None:
    """An ISO timestamp (or epoch seconds) of a JSON record, or a SourceError naming the field."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise SourceError(
                f"{value!r} is not a timestamp", path=str(path), record=record, field=field
            ) from None
    if not isinstance(value, str):
        raise SourceError(
            f"expected a date, got {type(value).__name__}",
            path=str(path),
            record=record,
            field=field,
        )
    try:
        return optional_datetime(value)
    except ValueProblem as exc:
        raise SourceError(str(exc), path=str(path), record=record, field=field) from None


def obj(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (wrong types never crash a reader)."""
    return value if isinstance(value, dict) else {}
