"""Counting: every indicator and breakdown of a period from the stored documents (the
rules are in the package docstring)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from citeslab_tui.domain.bilan.labels import INDICATOR_KEYS, UNKNOWN
from citeslab_tui.domain.bilan.periods import Period
from citeslab_tui.domain.bilan.result import Bilan
from citeslab_tui.domain.places import OTHER_COMMUNE_LABEL, OUTSIDE_QPV, Places
from citeslab_tui.domain.text import fold
from citeslab_tui.domain.vocabulary import Civility

_GENDER_OF_CIVILITY = {c.value: c.gender.value for c in Civility}  # stored values
_OUTCOME_INDICATOR = {
    "creation": "created",
    "employment": "positive_exits_employment",
    "training": "positive_exits_training",
    "abandon": "abandoned",
}
_STAGE_INDICATOR = {"sensitized": "sensitized", "detected": "detected", "emergence": "emergence"}


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


_EVENT = ("id", "on", "person_id", "meta.deleted")
FIELDS_READ: dict[str, tuple[str, ...]] = {
    # the only fields of each kind `compute_bilan` reads ("meta.deleted": the tombstone
    # flag of the envelope): a caller may hand it documents reduced to these
    "person": ("id", "civility", "approach", "commune_insee", "commune", "qpv")
    + ("first_site", "meta.deleted"),
    "stage": (*_EVENT, "stage", "site"),
    "interview": (*_EVENT, "site"),
    "orientation": (*_EVENT, "partner"),
    "outcome": (*_EVENT, "outcome"),
    "collective": ("id", "on", "site", "women", "men", "unknown", "meta.deleted"),
}


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
