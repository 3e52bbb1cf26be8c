"""Xero's date dialects: `/Date(ms+0000)/` on the wire, ISO strings for convenience fields."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class DateError(ValueError):
    pass


def parse_request_date(value: object) -> str:
    """Any date form the SDK or a human sends → 'YYYY-MM-DD'."""
    if not isinstance(value, str):
        raise DateError(f"Error converting value {value!r} to type 'DateTime'")
    text = value.strip()
    match = MS_DATE.match(text)
    try:
        if match:
            moment = EPOCH + timedelta(milliseconds=int(match.group(1)))
            return moment.date().isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except (ValueError, OverflowError) as exc:
        raise DateError(f"Error converting value {value!r} to type 'DateTime'") from exc


def parse_since(value: str) -> int | None:
    """If-Modified-Since (ISO with or without offset, or RFC 1123) → epoch ms, None when unreadable."""
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def date_ms(iso_date: str) -> int:
    day = date.fromisoformat(iso_date)
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def ms_date(iso_date: str) -> str:
    return f"/Date({date_ms(iso_date)}+0000)/"


def ms_datetime(ms: int) -> str:
    return f"/Date({ms}+0000)/"


def date_string(iso_date: str) -> str:
    return f"{iso_date}T00:00:00"


def utc_string(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identity_string(ms: int) -> str:
    """Identity's 7-fractional-digit style, e.g. 2019-12-07T18:46:19.5165400Z.

    Xero itself omits the offset, but its OpenAPI file says date-time (RFC 3339);
    the SDK reads both as UTC.
    """
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


def today(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, UTC).date().isoformat()


def where_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp() * 1000)
