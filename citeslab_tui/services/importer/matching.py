"""How a register row meets the database: the people and events already there (a row of
a person already known adds only what is missing), the reference's places, sites and
partners (memoised per import), the fields a row fills and the events it brings."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from citeslab_tui.domain import identity, text
from citeslab_tui.domain import places as P
from citeslab_tui.domain.models import (
    Approach,
    Channel,
    Civility,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    Record,
    Stage,
    StageEvent,
)
from citeslab_tui.domain.register import RegisterRow
from citeslab_tui.store.repository import Repository

_CIVILITY = {"F": Civility.MADAME, "M": Civility.MONSIEUR}


_fold_detail = lru_cache(maxsize=1024)(text.fold)  # stage, outcome, partner: few values


def _event_key(kind: str, pid: str, on: Any, detail: str = "") -> tuple[str, str, str, str]:
    return (kind, pid, on if isinstance(on, str) else on.isoformat(), _fold_detail(detail))


class KnownRecords:
    """The people and events already in the database, for matching and idempotence."""

    def __init__(self, repo: Repository) -> None:
        self.by_legacy: dict[str, str] = {}
        self.by_identity: dict[str, str] = {}
        self.events: set[tuple[str, str, str, str]] = set()
        self.erased: set[str] = set()  # legacy keys of people erased at their request
        for doc in repo.docs("person"):
            if doc.get("erased_at"):
                if doc.get("legacy_key"):
                    self.erased.add(doc["legacy_key"])
                continue
            pid = doc["id"]
            if doc.get("legacy_key"):
                self.by_legacy.setdefault(doc["legacy_key"], pid)
            for key in identity.same_person_keys(
                doc.get("family_name") or "",
                doc.get("first_name") or "",
                doc.get("birth_date"),
                doc.get("phone"),
            ):
                self.by_identity.setdefault(key, pid)
        for doc in repo.docs("stage"):
            self.events.add(_event_key("stage", doc["person_id"], doc["on"], doc["stage"]))
        for doc in repo.docs("interview"):
            self.events.add(_event_key("interview", doc["person_id"], doc["on"]))
        for doc in repo.docs("outcome"):
            self.events.add(_event_key("outcome", doc["person_id"], doc["on"], doc["outcome"]))
        for doc in repo.docs("orientation"):
            self.events.add(_event_key("orientation", doc["person_id"], doc["on"], doc["partner"]))


class PlaceLookup:
    """The reference lookups the import repeats on every row, memoised per import, and
    the values that matched nothing (for the summary)."""

    def __init__(self, places: P.Places, local_sites: list[str]) -> None:
        self.places = places
        self.local_sites = {text.fold(name): name for name in local_sites}
        self._communes: dict[str, tuple[str | None, str, bool]] = {}
        self._cache: dict[tuple[str, str], tuple[str, bool]] = {}  # qpv, site, partner
        self.unmatched: dict[str, dict[str, int]] = {}

    def _memo(self, kind: str, raw: str, fn: Callable[[str], tuple[str, bool]]) -> tuple[str, bool]:
        key = (kind, raw)
        if key not in self._cache:
            self._cache[key] = fn(raw)
        return self._cache[key]

    def note(self, row: RegisterRow) -> None:
        """Count the values of a row that match nothing."""
        for key, matched in (
            ("commune", self.commune(row.commune)[2]),
            ("qpv", self.qpv(row.qpv)[1]),
            ("site", self.site(row.site)[1]),
            ("partner", self.partner(row.partner)[1]),
        ):
            raw = getattr(row, key)
            if raw and not matched:
                counts = self.unmatched.setdefault(key, {})
                counts[raw] = counts.get(raw, 0) + 1

    def commune(self, raw: str) -> tuple[str | None, str, bool]:
        """(INSEE code or OTHER_COMMUNE or None, name, matched)."""

        def find(raw: str) -> tuple[str | None, str, bool]:
            value = self.places.read_commune_token(raw)
            if value.kind == "commune" and value.entry is not None:
                return value.entry.key, value.entry.name, True
            if value.kind == "other":
                return P.OTHER_COMMUNE, value.text or raw, True
            if value.kind == "unknown":
                return None, "", True
            return None, raw, False

        if raw not in self._communes:
            self._communes[raw] = find(raw)
        return self._communes[raw]

    def qpv(self, raw: str) -> tuple[str, bool]:
        """(value to store, matched)."""

        def find(raw: str) -> tuple[str, bool]:
            value = self.places.qpv_value(raw)
            return value.token, value.kind != "unrecognised"

        return self._memo("qpv", raw, find)

    def site(self, raw: str) -> tuple[str, bool]:
        def find(raw: str) -> tuple[str, bool]:
            entry = self.places.sites.find(raw)
            if entry is not None:
                return entry.name, True
            local = self.local_sites.get(text.fold(raw))
            return (local, True) if local else (raw, not raw)

        return self._memo("site", raw, find)

    def partner(self, raw: str) -> tuple[str, bool]:
        def find(raw: str) -> tuple[str, bool]:
            entry = self.places.partners.find(raw)
            return (entry.name, True) if entry is not None else (raw, not raw)

        return self._memo("partner", raw, find)


def fill(person: Person, row: RegisterRow, where: PlaceLookup) -> dict[str, Any]:
    """Fields of `person` that are blank (or hold a value the reference does not know)
    and that `row` knows."""
    update: dict[str, Any] = {}
    places = where.places
    if person.civility is Civility.UNSPECIFIED and row.gender in _CIVILITY:
        update["civility"] = _CIVILITY[row.gender]
    if person.birth_date is None and row.birth_date:
        update["birth_date"] = row.birth_date
        update["birth_year"] = row.birth_date.year
    elif person.birth_year is None and row.birth_year:
        update["birth_year"] = row.birth_year
    for name in ("phone", "email"):
        if getattr(person, name) is None and getattr(row, name):
            update[name] = getattr(row, name)
    current = places.commune_value(person.commune_insee, person.commune)
    if current.kind == "commune" and current.entry is not None:
        canonical = (current.entry.key, current.entry.name)
        if (person.commune_insee, person.commune) != canonical:  # found through an alias
            update["commune_insee"], update["commune"] = canonical
    elif row.commune:
        insee, name, matched = where.commune(row.commune)
        if current.kind == "unknown" or (current.kind == "unrecognised" and matched and name):
            update["commune_insee"], update["commune"] = insee, name
    stored = places.qpv_value(person.qpv)
    if stored.kind != "unrecognised" and stored.token != person.qpv:
        update["qpv"] = stored.token  # a name or an alias of the office: store the key
    if row.qpv and stored.kind in ("unknown", "unrecognised"):
        value, matched = where.qpv(row.qpv)
        if (stored.kind == "unknown" and value) or (stored.kind == "unrecognised" and matched):
            update["qpv"] = value
    if row.site:
        site, matched = where.site(row.site)
        first_site = person.first_site
        if not first_site or (matched and site != first_site and not where.site(first_site)[1]):
            update["first_site"] = site
    if person.approach is Approach.UNKNOWN and row.approach != "unknown":
        update["approach"] = Approach(row.approach)
    if row.notes and row.notes not in person.notes:
        joined = f"{person.notes}\n{row.notes}".strip() if person.notes else row.notes
        if len(joined) <= 4000:
            update["notes"] = joined
    return update


def events_of(row: RegisterRow, pid: str, where: PlaceLookup) -> list[Record]:
    out: list[Record] = []
    site = where.site(row.site)[0] if row.site else ""
    if row.sensitized_on:
        out.append(
            StageEvent(person_id=pid, stage=Stage.SENSITIZED, on=row.sensitized_on, site=site)
        )
    if row.interview_on:
        out.append(
            Interview(person_id=pid, on=row.interview_on, site=site, channel=Channel.PERMANENCE)
        )
    if row.detected_on:
        out.append(StageEvent(person_id=pid, stage=Stage.DETECTED, on=row.detected_on, site=site))
    if row.emergence_on:
        out.append(StageEvent(person_id=pid, stage=Stage.EMERGENCE, on=row.emergence_on, site=site))
    if row.outcome and row.outcome_on:
        out.append(Outcome(person_id=pid, outcome=OutcomeKind(row.outcome), on=row.outcome_on))
    on = row.orientation_date()
    if row.partner and on:
        out.append(Orientation(person_id=pid, partner=where.partner(row.partner)[0], on=on))
    return out


def event_key_of(record: Record) -> tuple[str, str, str, str]:
    if isinstance(record, StageEvent):
        return _event_key("stage", record.person_id, record.on, record.stage.value)
    if isinstance(record, Interview):
        return _event_key("interview", record.person_id, record.on)
    if isinstance(record, Outcome):
        return _event_key("outcome", record.person_id, record.on, record.outcome.value)
    assert isinstance(record, Orientation)
    return _event_key("orientation", record.person_id, record.on, record.partner)


def new_person(row: RegisterRow, where: PlaceLookup) -> Person:
    insee, commune, _matched = where.commune(row.commune) if row.commune else (None, "", True)
    return Person(
        civility=_CIVILITY.get(row.gender, Civility.UNSPECIFIED),
        family_name=row.family_name,
        first_name=row.first_name,
        birth_date=row.birth_date,
        birth_year=row.birth_date.year if row.birth_date else row.birth_year,
        phone=row.phone,
        email=row.email,
        commune=commune,
        commune_insee=insee,
        qpv=where.qpv(row.qpv)[0] if row.qpv else "",
        approach=Approach(row.approach),
        first_site=where.site(row.site)[0] if row.site else "",
        notes=row.notes,
        legacy_key=row.legacy_key(),
    )
