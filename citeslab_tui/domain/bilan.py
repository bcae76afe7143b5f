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
have no site of their own). Sites compare ignoring case and accents, a name of the
sites table's aliases counting under the table's name. A person
received is placed, in the "by site" breakdown, at the site of their earliest
interview of the period (among those matching the filter).

Breakdowns of the people received: gender (from the civility: F, M, unknown),
approach (individual, collective, unknown), commune, neighbourhood, site; and of the
people oriented: partner. Shares are percentages of the known values, rounded to two
decimals, `None` when no value is known; unknowns are shown, never counted in a share.

Places are read through `domain.places.Places` (the reference tables), never as typed:
- commune: the reference name of the person's commune; "Autre commune (hors
  Calvados)" for a residence outside the Calvados; unknown when blank or when the
  stored text matches no commune (listed in the data quality part);
- neighbourhood: the person's QPV under the map in force on the date of their
  earliest interview of the period (a neighbourhood that has left the map counts as
  "hors QPV" from then on; one whose membership is to confirm is shown "(à confirmer)";
  unknown when blank or unrecognised);
- partner: the partner's current name (an older name is an alias: "Pôle emploi" counts
  as "France Travail"); a name not in the table is shown as written.

`quality` (the "Qualité des données" part) says what the figures rest on: unknowns
among the people received, unrecognised and unconfirmed values, the QPV maps applied,
and one line for each funnel figure above the one before it.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.places import OTHER_COMMUNE_LABEL, OUTSIDE_QPV, Places
from citeslab_tui.domain.text import fold, format_date, format_int
from citeslab_tui.domain.vocabulary import Approach, Gender

UNKNOWN = "unknown"

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
    "oriented_by_partner",
)
BREAKDOWN_LABELS = {
    "received_by_gender": "Reçus par sexe",
    "received_by_approach": "Reçus par démarche",
    "received_by_commune": "Reçus par commune",
    "received_by_neighbourhood": "Reçus par quartier",
    "received_by_site": "Reçus par site",
    "oriented_by_partner": "Orientés par partenaire",
}
# gender and approach values by their vocabulary's label; any unknown value as one
VALUE_LABELS = {
    **{g.value: g.label for g in (Gender.F, Gender.M)},
    **{a.value: a.label for a in (Approach.INDIVIDUAL, Approach.COLLECTIVE)},
    UNKNOWN: Gender.UNKNOWN.label,
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
    quality: dict[str, Any] = field(default_factory=dict)
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
        out["data_quality"] = {**self.quality, "lines": quality_lines(self)}
        return out


# --- computation -----------------------------------------------------------------


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return value or ""


def _live(doc: Mapping[str, Any]) -> bool:
    meta = doc.get("meta")
    return not (meta and meta.get("deleted"))


def _sorted(counter: Counter[str]) -> list[tuple[str, int]]:
    """By count (largest first), then name."""
    return sorted(counter.items(), key=lambda kn: (-kn[1], fold(kn[0]), kn[0]))


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
    places: Places,
) -> Bilan:
    """Every indicator and breakdown of `period`, optionally for one site."""
    start, end = period.start.isoformat(), period.end.isoformat()

    def site_name(name: str) -> str:
        """A site written under an older name or an alias counts under its reference name."""
        entry = places.sites.find(name) if name else None
        return entry.name if entry is not None else name

    site_key = fold(site_name(site)) if site else None
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
            resolved = site_name(name)
            key = folded[name] = fold(resolved)
            site_names.setdefault(key, resolved)
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
    partners: dict[str, set[str]] = {}  # current partner name -> people oriented
    partner_keys: dict[str, str] = {}  # folded -> name as first seen (names not in the table)
    for pid, doc, _on in events(orientations):
        sets["oriented"].add(pid)
        written = (doc.get("partner") or "").strip()
        entry = places.partners.find(written) if written else None
        name = entry.name if entry is not None else partner_keys.setdefault(fold(written), written)
        partners.setdefault(name or UNKNOWN, set()).add(pid)

    heads = actions = 0
    for doc in collectives:
        on = _iso(doc.get("on"))
        if not (start <= on <= end) or not _live(doc):
            continue
        own = doc.get("site") or ""
        if site_key is not None and site_key_of(own) != site_key:
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
    unrecognised_communes: Counter[str] = Counter()
    unrecognised_qpv: Counter[str] = Counter()
    unconfirmed_qpv: Counter[str] = Counter()
    maps_used: set[str] = set()
    for pid in sets["received"]:
        person = persons.get(pid, {})
        gender[_GENDER_OF_CIVILITY.get(person.get("civility", ""), UNKNOWN)] += 1
        value = person.get("approach") or UNKNOWN
        approach[value if value in ("individual", "collective") else UNKNOWN] += 1
        place = places.commune_value(person.get("commune_insee"), person.get("commune"))
        if place.kind == "commune" and place.entry is not None:
            commune[place.entry.name] += 1
        elif place.kind == "other":
            commune[OTHER_COMMUNE_LABEL] += 1
        else:
            commune[UNKNOWN] += 1
            if place.kind == "unrecognised":
                unrecognised_communes[place.text] += 1
        day = date.fromisoformat(received_at[pid][0])
        qpv_map = places.map_on(day)
        if qpv_map is not None:
            maps_used.add(qpv_map.id)
        where = places.neighbourhood_on(person.get("qpv"), day)
        neighbourhood[where.key or UNKNOWN] += 1
        if where.unrecognised:
            unrecognised_qpv[where.unrecognised] += 1
        if where.entry is not None and where.key != OUTSIDE_QPV and not where.confirmed:
            unconfirmed_qpv[where.key] += 1
        key = received_at[pid][1]
        by_site[site_names.get(key, "") if key else UNKNOWN] += 1

    by_partner = Counter({name: len(who) for name, who in partners.items()})
    breakdowns = {
        "received_by_gender": _ordered(gender, ("F", "M", UNKNOWN)),
        "received_by_approach": _ordered(approach, ("individual", "collective", UNKNOWN)),
        "received_by_commune": _ordered(commune),
        "received_by_neighbourhood": _ordered(neighbourhood),
        "received_by_site": _ordered(by_site),
        "oriented_by_partner": _ordered(by_partner),
    }
    unconfirmed_partners = {
        name: count
        for name, count in by_partner.items()
        if (entry := places.partners.find(name)) is not None and not entry.confirmed
    }
    unlisted_partners = {
        name: count
        for name, count in by_partner.items()
        if name != UNKNOWN and places.partners.find(name) is None
    }
    quality = {
        "received_unknown_gender": gender.get(UNKNOWN, 0),
        "received_unknown_commune": commune.get(UNKNOWN, 0),
        "received_unknown_neighbourhood": neighbourhood.get(UNKNOWN, 0),
        "unrecognised_communes": dict(_sorted(unrecognised_communes)),
        "unrecognised_neighbourhoods": dict(_sorted(unrecognised_qpv)),
        "unconfirmed_neighbourhoods": dict(_sorted(unconfirmed_qpv)),
        "unconfirmed_partners": dict(_sorted(Counter(unconfirmed_partners))),
        "unlisted_partners": dict(_sorted(Counter(unlisted_partners))),
        "qpv_maps": sorted(maps_used),
        "before_first_map": places.before_first_map(period.start),
        "first_map_rule": (
            places.maps[0].note if places.maps and places.before_first_map(period.start) else ""
        ),
        "reference_unconfirmed": {
            "qpv": sum(
                1
                for q in places.qpv
                if not q.confirmed or any(q.membership(m) == "a_confirmer" for m in maps_used)
            ),
            "partners": sum(1 for p in places.partners if not p.confirmed),
        },
    }
    return Bilan(
        period=period,
        site=site or None,
        indicators={k: indicators[k] for k in INDICATOR_KEYS},
        breakdowns=breakdowns,
        sensitized_people=sensitized_people,
        sensitized_heads=heads,
        collective_actions=actions,
        quality=quality,
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


# --- data quality ("Qualité des données") --------------------------------------------------

FUNNEL_STEPS = (
    (
        "sensitized",
        "detected",
        "des personnes sensibilisées avant le début de la période ont été détectées pendant",
    ),
    (
        "detected",
        "emergence",
        "des projets détectés avant le début de la période sont entrés en Émergence pendant",
    ),
    (
        "emergence",
        "created",
        "des entreprises ont été créées par des personnes entrées en "
        "Émergence avant la période (ou sans passer par l'Émergence)",
    ),
)


def _names(values: Mapping[str, int], limit: int = 6) -> str:
    items = [f"{name} ({format_int(count)})" for name, count in values.items()]
    more = len(items) - limit
    return ", ".join(items[:limit]) + (f" et {more} autre(s)" if more > 0 else "")


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def quality_lines(bilan: Bilan) -> list[str]:
    """The "Qualité des données" part in French: one sentence per fact (screen, text,
    CSV, XLSX and the JSON `lines`)."""
    q = bilan.quality
    if not q:
        return []
    received = bilan.indicators["received"]
    lines = [
        f"Sur {format_int(received)} personne(s) reçue(s) : sexe inconnu pour "
        f"{format_int(q['received_unknown_gender'])}, commune inconnue pour "
        f"{format_int(q['received_unknown_commune'])}, quartier inconnu pour "
        f"{format_int(q['received_unknown_neighbourhood'])}."
    ]
    if q["unrecognised_communes"]:
        lines.append(
            "Communes saisies hors de la liste (comptées « Non renseigné ») : "
            + _names(q["unrecognised_communes"])
            + "."
        )
    if q["unrecognised_neighbourhoods"]:
        lines.append(
            "Quartiers saisis hors de la liste (comptés « Non renseigné ») : "
            + _names(q["unrecognised_neighbourhoods"])
            + "."
        )
    if q["unconfirmed_neighbourhoods"]:
        lines.append(
            "Quartiers dont l'appartenance à la carte QPV en vigueur est à confirmer : "
            + _names(q["unconfirmed_neighbourhoods"])
            + "."
        )
    if q["unconfirmed_partners"]:
        lines.append(
            "Partenaires dont le nom est à confirmer : " + _names(q["unconfirmed_partners"]) + "."
        )
    if q["unlisted_partners"]:
        lines.append(
            "Partenaires hors de la liste de référence : " + _names(q["unlisted_partners"]) + "."
        )
    ref = q["reference_unconfirmed"]
    parts = [
        f"{format_int(n)} {what}"
        for n, what in ((ref["qpv"], "quartier(s)"), (ref["partners"], "partenaire(s)"))
        if n
    ]
    if parts:
        lines.append("Tables de référence : " + " et ".join(parts) + " à confirmer.")
    maps = q["qpv_maps"]
    if maps:
        lines.append(
            "Carte des QPV appliquée à chaque personne reçue, à la date de son premier "
            "entretien de la période : " + " puis ".join(maps) + "."
        )
    if q["before_first_map"]:
        lines.append(
            "La période commence avant la première carte des QPV : "
            + _lower_first(q.get("first_map_rule") or "")
        )
    ind = bilan.indicators
    for before, after, why in FUNNEL_STEPS:
        if ind[after] > ind[before]:
            lines.append(
                f"{INDICATOR_LABELS[after]} ({format_int(ind[after])}) > "
                f"{INDICATOR_LABELS[before]} ({format_int(ind[before])}) : un bilan compte "
                f"les événements datés dans la période ; {why}."
            )
    return lines
