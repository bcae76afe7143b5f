"""The bilan (activity report): indicators computed from dated events. Pure.

Input is plain stored documents (dicts with the domain field names, dates as
ISO strings or `date` objects), as `Repository.docs(kind, include_deleted=True)`
yields them; tombstoned documents (`meta.deleted`) are skipped here, as are the
events of a tombstoned person. Erased / anonymised people still count: their
gender, commune, neighbourhood, approach and events remain.

Every indicator counts distinct people whose event date lies in the period
[start, end], both days included (see ../../docs/bilan.md and the spec):

- sensitized: people with a `sensitized` stage event, plus the head counts
  (women + men + unknown) of every collective action (information meeting,
  forum, workshop) held in the period;
- received: people with at least one individual interview;
- detected / emergence: people with a `detected` / `emergence` stage event;
- created / positive_exits(_employment, _training) / abandoned: outcomes
  (a positive exit is an employment or a training outcome);
- oriented: people with an orientation to a partner.

The site of an event, for the optional site filter and the "by site"
breakdown, is the event's own `site` when it has one (interviews, stage events,
collective actions), else the person's `first_site` (orientations and outcomes
have no site of their own). Sites compare ignoring case and accents. A person
received is placed, in the "by site" breakdown, at the site of their earliest
interview of the period (among those matching the filter).

Breakdowns of the people received: gender (from the civility: F, M, unknown),
approach (individual, collective, unknown), commune, neighbourhood (a QPV name,
"hors QPV", or unknown), site. Shares are percentages of the known values,
rounded to two decimals, `None` when no value is known; unknowns are shown,
never counted in a share.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.text import fold, format_date

UNKNOWN = "unknown"
OUTSIDE_QPV = "hors QPV"

INDICATOR_KEYS = (
    "sensitized",
    "received",
    "detected",
    "emergence",
    "created",
    "positive_exits",
    "positive_exits_employment",
    "positive_exits_training",
    "abandoned",
    "oriented",
)
INDICATOR_LABELS = {
    "sensitized": "Personnes sensibilisées",
    "received": "Porteurs de projet reçus",
    "detected": "Projets détectés",
    "emergence": "Projets en Émergence",
    "created": "Entreprises créées",
    "positive_exits": "Sorties positives (emploi ou formation)",
    "positive_exits_employment": "dont retour à l'emploi",
    "positive_exits_training": "dont entrée en formation",
    "abandoned": "Abandons",
    "oriented": "Personnes orientées",
}
BREAKDOWN_KEYS = (
    "received_by_gender",
    "received_by_approach",
    "received_by_commune",
    "received_by_neighbourhood",
    "received_by_site",
)
BREAKDOWN_LABELS = {
    "received_by_gender": "Reçus par sexe",
    "received_by_approach": "Reçus par démarche",
    "received_by_commune": "Reçus par commune",
    "received_by_neighbourhood": "Reçus par quartier",
    "received_by_site": "Reçus par site",
}
VALUE_LABELS = {
    "F": "Femmes",
    "M": "Hommes",
    "individual": "Individuelle",
    "collective": "Collective",
    UNKNOWN: "Non renseigné",
}
SHARE_KEYS = {
    "received_by_gender": ("F", "M"),
    "received_by_approach": ("individual", "collective"),
}
_GENDER_OF_CIVILITY = {"madame": "F", "monsieur": "M"}
_OUTCOME_INDICATOR = {
    "creation": "created",
    "employment": "positive_exits_employment",
    "training": "positive_exits_training",
    "abandon": "abandoned",
}
_STAGE_INDICATOR = {"sensitized": "sensitized", "detected": "detected", "emergence": "emergence"}


# --- periods ---------------------------------------------------------------------


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


PRESETS = {
    "year": ("Année d'activité en cours", lambda t: activity_year(t)),
    "previous_year": ("Année d'activité précédente", lambda t: activity_year(t, -1)),
    "month": ("Ce mois-ci", lambda t: month(t)),
    "last_month": ("Le mois dernier", lambda t: month(t, -1)),
}


def preset(name: str, today: date) -> Period:
    return PRESETS[name][1](today)


# --- result ----------------------------------------------------------------------


def share(part: int, base: int) -> float | None:
    """Percentage rounded to two decimals; None when the base is zero."""
    if base <= 0:
        return None
    return round(part * 100.0 / base, 2)


@dataclass
class Bilan:
    period: Period
    site: str | None
    indicators: dict[str, int]
    breakdowns: dict[str, dict[str, int]]
    # detail of "sensitized": people with an event, heads at collective actions
    sensitized_people: int = 0
    sensitized_heads: int = 0
    collective_actions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def shares(self, key: str) -> dict[str, float | None]:
        """{value: share} for the breakdowns that have shares (gender, approach)."""
        values = self.breakdowns[key]
        known = SHARE_KEYS.get(key, ())
        base = sum(values.get(k, 0) for k in known)
        return {k: share(values.get(k, 0), base) for k in known}

    def to_json(self) -> dict[str, Any]:
        """The machine-readable form of the spec (keys, nulls, rounding)."""
        out: dict[str, Any] = {
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "site": self.site,
            "indicators": {k: self.indicators[k] for k in INDICATOR_KEYS},
        }
        for key in BREAKDOWN_KEYS:
            values = dict(self.breakdowns[key])
            for name, value in self.shares(key).items():
                values[f"share_{name}"] = value
            out[key] = values
        return out


# --- computation -----------------------------------------------------------------


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _live(doc: Mapping[str, Any]) -> bool:
    meta = doc.get("meta")
    return not (meta and meta.get("deleted"))


def _ordered(counter: Counter[str], fixed: tuple[str, ...] = ()) -> dict[str, int]:
    """Fixed keys first (always present), then by count, name; unknown last."""
    out = {k: counter.get(k, 0) for k in fixed}
    rest = [(k, n) for k, n in counter.items() if k not in out and k != UNKNOWN]
    rest.sort(key=lambda kn: (-kn[1], fold(kn[0]), kn[0]))
    out.update(rest)
    if UNKNOWN not in out:
        out[UNKNOWN] = counter.get(UNKNOWN, 0)
    return out


def compute_bilan(
    period: Period,
    *,
    people: Iterable[Mapping[str, Any]],
    stages: Iterable[Mapping[str, Any]] = (),
    interviews: Iterable[Mapping[str, Any]] = (),
    orientations: Iterable[Mapping[str, Any]] = (),
    outcomes: Iterable[Mapping[str, Any]] = (),
    collectives: Iterable[Mapping[str, Any]] = (),
    site: str | None = None,
) -> Bilan:
    """Every indicator and breakdown of `period`, optionally for one site."""
    start, end = period.start.isoformat(), period.end.isoformat()
    site_key = fold(site) if site else None
    persons: dict[str, Mapping[str, Any]] = {}
    dead: set[str] = set()
    for doc in people:
        if _live(doc):
            persons[doc["id"]] = doc
        else:
            dead.add(doc["id"])
    folded: dict[str, str] = {"": ""}  # few distinct site names: fold each once
    site_names: dict[str, str] = {}  # folded -> name as first seen

    def site_key_of(name: str) -> str:
        key = folded.get(name)
        if key is None:
            key = folded[name] = fold(name)
            site_names.setdefault(key, name)
        return key

    def event_site(doc: Mapping[str, Any], pid: str) -> str:
        own = doc.get("site")
        if own:
            return site_key_of(own)
        person = persons.get(pid)
        return site_key_of(person.get("first_site") or "") if person else ""

    def events(docs: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Mapping[str, Any], str]]:
        for doc in docs:
            on = _iso(doc.get("on"))
            if not (start <= on <= end) or not _live(doc):
                continue
            pid = doc.get("person_id") or ""
            if pid in dead:
                continue
            if site_key is not None and event_site(doc, pid) != site_key:
                continue
            yield pid, doc, on

    sets: dict[str, set[str]] = {k: set() for k in INDICATOR_KEYS}
    for pid, doc, _on in events(stages):
        indicator = _STAGE_INDICATOR.get(doc.get("stage", ""))
        if indicator:
            sets[indicator].add(pid)
    received_at: dict[str, tuple[str, str]] = {}  # person -> (earliest date, site key)
    for pid, doc, on in events(interviews):
        sets["received"].add(pid)
        best = received_at.get(pid)
        if best is None or on < best[0]:
            received_at[pid] = (on, event_site(doc, pid))
    for pid, doc, _on in events(outcomes):
        indicator = _OUTCOME_INDICATOR.get(doc.get("outcome", ""))
        if indicator:
            sets[indicator].add(pid)
    sets["positive_exits"] = sets["positive_exits_employment"] | sets["positive_exits_training"]
    for pid, _doc, _on in events(orientations):
        sets["oriented"].add(pid)

    heads = actions = 0
    for doc in collectives:
        on = _iso(doc.get("on"))
        if not (start <= on <= end) or not _live(doc):
            continue
        own = doc.get("site") or ""
        if site_key is not None and fold(own) != site_key:
            continue
        actions += 1
        heads += int(doc.get("women") or 0) + int(doc.get("men") or 0)
        heads += int(doc.get("unknown") or 0)

    indicators = {k: len(v) for k, v in sets.items()}
    sensitized_people = indicators["sensitized"]
    indicators["sensitized"] = sensitized_people + heads

    gender: Counter[str] = Counter()
    approach: Counter[str] = Counter()
    commune: Counter[str] = Counter()
    neighbourhood: Counter[str] = Counter()
    by_site: Counter[str] = Counter()
    for pid in sets["received"]:
        person = persons.get(pid, {})
        gender[_GENDER_OF_CIVILITY.get(person.get("civility", ""), UNKNOWN)] += 1
        value = person.get("approach") or UNKNOWN
        approach[value if value in ("individual", "collective") else UNKNOWN] += 1
        commune[(person.get("commune") or "").strip() or UNKNOWN] += 1
        qpv = (person.get("qpv") or "").strip()
        if fold(qpv) == fold(OUTSIDE_QPV):
            qpv = OUTSIDE_QPV
        neighbourhood[qpv or UNKNOWN] += 1
        key = received_at[pid][1]
        by_site[site_names.get(key, "") if key else UNKNOWN] += 1

    breakdowns = {
        "received_by_gender": _ordered(gender, ("F", "M", UNKNOWN)),
        "received_by_approach": _ordered(approach, ("individual", "collective", UNKNOWN)),
        "received_by_commune": _ordered(commune),
        "received_by_neighbourhood": _ordered(neighbourhood),
        "received_by_site": _ordered(by_site),
    }
    return Bilan(
        period=period,
        site=site or None,
        indicators={k: indicators[k] for k in INDICATOR_KEYS},
        breakdowns=breakdowns,
        sensitized_people=sensitized_people,
        sensitized_heads=heads,
        collective_actions=actions,
    )


def funnel(bilan: Bilan) -> list[tuple[str, int]]:
    """The funnel: sensibilisés → détectés → Émergence → créations, then positive exits."""
    ind = bilan.indicators
    return [
        ("Sensibilisés", ind["sensitized"]),
        ("Détectés", ind["detected"]),
        ("Émergence", ind["emergence"]),
        ("Créations", ind["created"]),
        ("Sorties positives", ind["positive_exits"]),
    ]


def bar(value: int, maximum: int, width: int) -> str:
    """A bar of full blocks (and one eighth-block) proportional to value/maximum."""
    if maximum <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(value * width * 8 / maximum)
    full, part = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])


def value_label(key: str) -> str:
    """French label of a breakdown value (F, M, individual, ..., unknown, or a name)."""
    return VALUE_LABELS.get(key, key)
