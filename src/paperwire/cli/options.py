"""Option parsing shared by the CLI's command groups."""

from __future__ import annotations

import re
from datetime import date

import click


def iso_date(_ctx, param, value: str | None) -> date | None:
    """A click callback: YYYY-MM-DD as a date, or a usage error (exit 2) that names the option."""
    if value is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date", param=param)
