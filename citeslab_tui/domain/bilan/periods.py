"""Periods of a bilan: [start, end], both days included; the activity year runs from
1 September to 31 August."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.text import format_date


@dataclass(frozen=True)
class Period:
    """[start, end], both days included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"Période impossible : la fin ({format_date(self.end)}) précède le début "
                f"({format_date(self.start)})."
            )

    @property
    def label(self) -> str:
        return f"du {format_date(self.start)} au {format_date(self.end)}"


def activity_year(today: date, offset: int = 0) -> Period:
    """The activity year (1 September – 31 August) containing `today`, shifted by `offset`."""
    first = today.year if today.month >= 9 else today.year - 1
    first += offset
    return Period(date(first, 9, 1), date(first + 1, 8, 31))


def month(today: date, offset: int = 0) -> Period:
    """The calendar month containing `today`, shifted by `offset` months."""
    index = today.year * 12 + today.month - 1 + offset
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return Period(date(year, month0 + 1, 1), date(year, month0 + 1, last))


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February: the 28th of the year before
        return day.replace(year=day.year - 1, day=28)


def year_earlier(period: Period) -> Period:
    """The same dates one year earlier (the comparison of `report --compare`)."""
    return Period(_year_before(period.start), _year_before(period.end))


PRESETS: dict[str, tuple[str, Callable[[date], Period]]] = {
    "year": ("Année d'activité en cours", lambda t: activity_year(t)),
    "previous_year": ("Année d'activité précédente", lambda t: activity_year(t, -1)),
    "month": ("Ce mois-ci", lambda t: month(t)),
    "last_month": ("Le mois dernier", lambda t: month(t, -1)),
}


def preset(name: str, today: date) -> Period:
    return PRESETS[name][1](today)
