"""French due-date expressions: a table of cases, then properties (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_tui.domain.duedates import (
    describe_due,
    end_of_week,
    parse_due,
    parse_quick_task,
    relative_label,
)
from citeslab_tui.domain.errors import ValidationError

THU = date(2026, 11, 26)  # Thursday
SUN = date(2026, 11, 29)  # Sunday
JAN31 = date(2027, 1, 31)  # Sunday, month end
FEB28_LEAP = date(2028, 2, 28)  # Monday, the day before 29 February
DEC31 = date(2026, 12, 31)  # Thursday, year end

CASES = [
    # (today, typed, expected date, expected time)
    (THU, "aujourd'hui", THU, None),
    (THU, "Aujourd’hui", THU, None),
    (THU, "aujourdhui", THU, None),
    (THU, "demain", date(2026, 11, 27), None),
    (THU, "DEMAIN", date(2026, 11, 27), None),
    (THU, "après-demain", date(2026, 11, 28), None),
    (THU, "apres-demain", date(2026, 11, 28), None),
    (THU, "après demain", date(2026, 11, 28), None),
    (THU, "jeudi", date(2026, 12, 3), None),  # never today
    (THU, "vendredi", date(2026, 11, 27), None),
    (THU, "mercredi", date(2026, 12, 2), None),
    (THU, "lundi prochain", date(2026, 11, 30), None),
    (SUN, "lundi", date(2026, 11, 30), None),  # Sunday -> the next day
    (SUN, "dimanche", date(2026, 12, 6), None),
    (THU, "+3", date(2026, 11, 29), None),
    (THU, "+0", THU, None),
    (THU, "+3j", date(2026, 11, 29), None),
    (THU, "+2s", date(2026, 12, 10), None),
    (THU, "+ 2 sem", date(2026, 12, 10), None),
    (THU, "dans 10 jours", date(2026, 12, 6), None),
    (THU, "dans 2 semaines", date(2026, 12, 10), None),
    (THU, "12/03", date(2027, 3, 12), None),  # next occurrence: next year
    (THU, "30/11", date(2026, 11, 30), None),  # this year
    (THU, "26/11", THU, None),  # today itself
    (THU, "25/11", date(2027, 11, 25), None),  # yesterday -> next year
    (THU, "le 12/03", date(2027, 3, 12), None),
    (THU, "12.03", date(2027, 3, 12), None),
    (THU, "12-03", date(2027, 3, 12), None),
    (THU, "12/03/2027", date(2027, 3, 12), None),
    (THU, "12/03/27", date(2027, 3, 12), None),
    (THU, "1/2/2027", date(2027, 2, 1), None),
    (THU, "01/11/2026", date(2026, 11, 1), None),  # a past date is returned as is
    (THU, "12/03 14h30", date(2027, 3, 12), "14:30"),
    (THU, "12/03 14h", date(2027, 3, 12), "14:00"),
    (THU, "12/03 14:30", date(2027, 3, 12), "14:30"),
    (THU, "12/03/2027 à 9h", date(2027, 3, 12), "09:00"),
    (THU, "demain 9h05", date(2026, 11, 27), "09:05"),
    (THU, "jeudi 14H30", date(2026, 12, 3), "14:30"),
    (THU, "14h", THU, "14:00"),  # a time alone: today
    (THU, "à 8h", THU, "08:00"),
    (THU, "  demain   à   14h  ", date(2026, 11, 27), "14:00"),
    # month ends, 29 February, year end
    (JAN31, "demain", date(2027, 2, 1), None),
    (JAN31, "lundi", date(2027, 2, 1), None),
    (JAN31, "+1s", date(2027, 2, 7), None),
    (JAN31, "29/02", date(2028, 2, 29), None),  # 2027 has none: next leap year
    (FEB28_LEAP, "demain", date(2028, 2, 29), None),
    (FEB28_LEAP, "29/02", date(2028, 2, 29), None),
    (FEB28_LEAP, "après-demain", date(2028, 3, 1), None),
    (date(2028, 3, 1), "29/02", date(2032, 2, 29), None),
    (THU, "29/02/2028", date(2028, 2, 29), None),
    (DEC31, "demain", date(2027, 1, 1), None),
    (DEC31, "31/12", DEC31, None),
    (DEC31, "01/01", date(2027, 1, 1), None),
    (DEC31, "vendredi", date(2027, 1, 1), None),
    (date(2026, 4, 30), "31/05", date(2026, 5, 31), None),
]


@pytest.mark.parametrize(("today", "typed", "expected", "hour"), CASES)
def test_understood(today: date, typed: str, expected: date, hour: str | None) -> None:
    assert parse_due(typed, today) == (expected, hour)


REFUSED = [
    "",
    "   ",
    "bientôt",
    "la semaine prochaine",
    "31/02",
    "29/02/2027",
    "32/01",
    "12/13",
    "00/05",
    "12/03/1850",
    "25h",
    "14h75",
    "+99999",
    "+600s",
    "12/03 14h30 15h",
    "lundi mardi",
    "-3",
    "x" * 500,
]


@pytest.mark.parametrize("typed", REFUSED)
def test_refused_with_french_message(typed: str) -> None:
    with pytest.raises(ValidationError) as exc:
        parse_due(typed, THU)
    message = exc.value.message
    assert message.endswith(".")
    assert any(word in message for word in ("Échéance", "Date", "Heure", "Année"))


def test_unknown_form_lists_understood_forms() -> None:
    with pytest.raises(ValidationError) as exc:
        parse_due("bientôt", THU)
    for form in ("demain", "après-demain", "lundi", "+3", "+2s", "12/03", "12/03/2027", "14h30"):
        assert form in exc.value.message


QUICK = [
    ("Rappeler Mme Diallo jeudi 14h", "Rappeler Mme Diallo", date(2026, 12, 3), "14:00"),
    ("Rappeler Mme Diallo jeudi à 14h", "Rappeler Mme Diallo", date(2026, 12, 3), "14:00"),
    (
        "Envoyer la liste des formations +3",
        "Envoyer la liste des formations",
        date(2026, 11, 29),
        None,
    ),
    ("RDV Mme Lefèvre le 12/12 14h30", "RDV Mme Lefèvre", date(2026, 12, 12), "14:30"),
    ("Vérifier CMA M. Camara +3s", "Vérifier CMA M. Camara", date(2026, 12, 17), None),
    ("Rappeler demain", "Rappeler", date(2026, 11, 27), None),
    ("Rappeler  après-demain", "Rappeler", date(2026, 11, 28), None),
    ("Préparer le dossier - 12/03/2027", "Préparer le dossier", date(2027, 3, 12), None),
    ("Appeler [bold]x[/] lundi", "Appeler [bold]x[/]", date(2026, 11, 30), None),
]


@pytest.mark.parametrize(("line", "title", "due", "hour"), QUICK)
def test_quick_add(line: str, title: str, due: date, hour: str | None) -> None:
    parsed = parse_quick_task(line, THU)
    assert (parsed.title, parsed.due, parsed.time) == (title, due, hour)


@pytest.mark.parametrize(
    "line", ["", "demain", "Rappeler Mme Diallo", "Rappeler la semaine prochaine", "Voir 31/02"]
)
def test_quick_add_refused(line: str) -> None:
    with pytest.raises(ValidationError):
        parse_quick_task(line, THU)


def test_describe_and_labels() -> None:
    assert describe_due(date(2026, 12, 3), "14:30") == "jeudi 03/12/2026 à 14:30"
    assert describe_due(date(2026, 12, 3)) == "jeudi 03/12/2026"
    assert relative_label(THU, THU) == "aujourd'hui"
    assert relative_label(date(2026, 11, 27), THU) == "demain"
    assert relative_label(date(2026, 11, 25), THU) == "hier"
    assert relative_label(date(2026, 11, 20), THU) == "il y a 6 jours"
    assert end_of_week(THU) == SUN and end_of_week(SUN) == SUN


# --- properties --------------------------------------------------------------------

todays = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))
pieces = st.sampled_from(
    [
        "demain",
        "après-demain",
        "aujourd'hui",
        "lundi",
        "dimanche",
        "prochain",
        "le",
        "à",
        "dans",
        "jours",
        "+",
        "s",
        "h",
        ":",
        "/",
        ".",
        "-",
        " ",
        "29/02",
        "31/12",
        "14h30",
        "99",
        "0",
        "12",
        "2027",
        "27",
        "é",
        "\u2019",
        "\x00",
        "٣",
    ]
)
expressions = st.one_of(st.text(max_size=40), st.lists(pieces, max_size=8).map("".join))


@settings(max_examples=400, deadline=None)
@given(today=todays, typed=expressions)
def test_never_crashes_and_gives_a_real_date(today: date, typed: str) -> None:
    try:
        due, hour = parse_due(typed, today)
    except ValidationError as exc:
        assert exc.message
        return
    assert isinstance(due, date)
    assert hour is None or (len(hour) == 5 and hour[2] == ":")
    if not any(sep in typed for sep in "/.-"):
        assert due >= today  # relative forms never go back in time


@settings(max_examples=300, deadline=None)
@given(today=todays, line=expressions)
def test_quick_add_never_crashes(today: date, line: str) -> None:
    try:
        parsed = parse_quick_task("Rappeler " + line, today)
    except ValidationError:
        return
    assert parsed.title and isinstance(parsed.due, date)


@settings(max_examples=200, deadline=None)
@given(today=todays, weekday=st.integers(0, 6))
def test_weekday_is_next_never_today(today: date, weekday: int) -> None:
    names = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    due, _ = parse_due(names[weekday], today)
    assert due.weekday() == weekday and 1 <= (due - today).days <= 7


@settings(max_examples=200, deadline=None)
@given(today=todays, day=st.integers(1, 31), month=st.integers(1, 12))
def test_day_month_is_next_occurrence(today: date, day: int, month: int) -> None:
    try:
        due, _ = parse_due(f"{day:02d}/{month:02d}", today)
    except ValidationError:
        assert (day, month) in {(30, 2), (31, 2), (31, 4), (31, 6), (31, 9), (31, 11)}
        return
    assert (due.day, due.month) == (day, month)
    assert today <= due < today + timedelta(days=366 * 8)
    if (day, month) != (29, 2):
        assert due < today + timedelta(days=366)
