"""Places and partners as the funder counts them: communes, QPV maps by date, partners,
sites, and the one rule that matches a typed name to them. Pure (no file, no Textual).

`citeslab_tui.reference` reads the tables of `data/` (and the office's override and
alias files) and builds one `Places`; everything that turns a typed or stored name into
a reference entry goes through it:

- `Matcher.find(typed)`: the entry whose key, name or alias has the same `match_key`
  (domain/text.py: accents, case, punctuation ignored, "St"/"Ste"/"1er"/"s/" expanded).
  A name beats an alias; two entries for one spelling is no match (ambiguous).
- `Matcher.search(typed)`: entries whose name or an alias contains the typed words
  anywhere ("grand parc" finds "Hérouville (Grand Parc / …)"), best first.

Stored values are read through `Places`, never compared raw, so data written by older
versions stays readable (normalised on read, nothing rewritten):

- `Person.qpv`: a QPV key (`chemin-vert`), `"hors QPV"`, `""` (unknown: "ne sait
  pas"), or - older data - a QPV name or alias, or text typed freely (then
  "unrecognised": counted as unknown by the bilan and listed in its data quality part).
- `Person.commune_insee` / `commune`: an INSEE code and its name; `OTHER_COMMUNE`
  and a free name for a residence outside the Calvados; older data may have only a
  name (found by name), or an unrecognised text.

QPV maps: each QPV row says, per map ("2015", "2024"), whether it is on it ("oui"),
not ("non") or to confirm ("a_confirmer"). The map in force on a day is the latest
that started on or before it; a day before the first map counts with the first map
(the rule is stated once, in data/qpv_maps.csv). A row whose status is not confirmed,
or whose membership is "a_confirmer", is shown with "(à confirmer)" everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, Literal, Protocol, TypeVar

from citeslab_tui.domain.text import fold, match_key

OUTSIDE_QPV = "hors QPV"  # stored in Person.qpv and the bilan's key
UNKNOWN_QPV = ""  # stored in Person.qpv: "ne sait pas", or never asked
UNKNOWN_QPV_LABEL = "ne sait pas"
OTHER_COMMUNE = "autre"  # Person.commune_insee of a residence outside the Calvados
OTHER_COMMUNE_LABEL = "Autre commune (hors Calvados)"
UNCONFIRMED = "à confirmer"
ON_MAP, OFF_MAP, TO_CONFIRM = "oui", "non", "a_confirmer"

# spellings of "outside any QPV" and "unknown" (an office alias file can add more)
OUTSIDE_WORDS = ("hors qpv", "hors quartier", "hors quartier prioritaire", "non qpv", "hors zone")
UNKNOWN_WORDS = ("ne sait pas", "nsp", "inconnu", "non renseigne", "non precise")
OTHER_COMMUNE_WORDS = ("autre commune", "hors calvados", "autre commune hors calvados")


def is_confirmed(status: str) -> bool:
    """A reference row's `statut` says it was seen in a source, with nothing left to check."""
    folded = fold(status)
    return folded.startswith("verifi") and "a confirmer" not in folded


@dataclass(frozen=True)
class Entry:
    """One row of a reference table as matching and display see it."""

    key: str
    name: str
    aliases: tuple[str, ...] = ()
    status: str = "verifie"
    detail: str = ""  # shown after the name in pickers ("14000 · Caen la Mer")

    @property
    def confirmed(self) -> bool:
        return is_confirmed(self.status)

    @property
    def label(self) -> str:
        return self.name if self.confirmed else f"{self.name} ({UNCONFIRMED})"


@dataclass(frozen=True)
class Commune(Entry):
    postcodes: tuple[str, ...] = ()
    caen_la_mer: bool = False


@dataclass(frozen=True)
class Qpv(Entry):
    communes: tuple[str, ...] = ()  # INSEE codes
    doubtful_communes: tuple[str, ...] = ()  # INSEE codes whose membership is to confirm
    maps: tuple[tuple[str, str], ...] = ()  # (map id, ON_MAP / OFF_MAP / TO_CONFIRM)
    codes: tuple[tuple[str, str], ...] = ()  # (map id, official code) when a source gave it

    def membership(self, map_id: str) -> str:
        return dict(self.maps).get(map_id, OFF_MAP)

    def confirmed_on(self, map_id: str) -> bool:
        return self.confirmed and self.membership(map_id) == ON_MAP

    def label_on(self, map_id: str) -> str:
        return self.name if self.confirmed_on(map_id) else f"{self.name} ({UNCONFIRMED})"

    def in_commune(self, insee: str) -> bool:
        return insee in self.communes or insee in self.doubtful_communes


@dataclass(frozen=True)
class QpvMap:
    """A generation of the priority geography, in force from `start`."""

    id: str
    start: date
    text: str = ""  # the decree
    note: str = ""


E = TypeVar("E", bound=Entry)


class Matcher(Generic[E]):
    """Finds entries of one table by key, name or alias (see the module docstring)."""

    def __init__(self, entries: Iterable[E]) -> None:
        self.entries: list[E] = list(entries)
        self._by_key = {e.key: e for e in self.entries}
        self._names: dict[str, list[E]] = {}
        self._aliases: dict[str, list[E]] = {}
        self._haystack: list[tuple[E, str, tuple[str, ...]]] = []
        for entry in self.entries:
            name = match_key(entry.name)
            aliases = tuple(match_key(a) for a in entry.aliases if a.strip())
            self._names.setdefault(name, []).append(entry)
            for alias in aliases:
                if entry not in self._aliases.setdefault(alias, []):
                    self._aliases[alias].append(entry)
            self._haystack.append((entry, name, aliases))

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, key: str | None) -> E | None:
        return self._by_key.get(key or "")

    def find(self, typed: str | None) -> E | None:
        """The one entry this spelling names (key, else name, else alias), or None."""
        if not typed:
            return None
        entry = self._by_key.get(typed.strip())
        if entry is not None:
            return entry
        key = match_key(typed)
        if not key:
            return None
        for index in (self._names, self._aliases):
            found = index.get(key, [])
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                return None  # ambiguous: never guess
        return None

    def search(self, typed: str, among: Iterable[E] | None = None) -> list[E]:
        """Entries whose name or an alias contains the typed text (or each of its words),
        anywhere: name prefix first, then a word of the name, then anywhere in the
        name, then an alias; alphabetical within each rank."""
        allowed = None if among is None else {id(e) for e in among}
        query = match_key(typed)
        words = query.split()
        ranked: list[tuple[int, str, E]] = []
        for entry, name, aliases in self._haystack:
            if allowed is not None and id(entry) not in allowed:
                continue
            rank = _rank(query, words, name, aliases)
            if rank is not None:
                ranked.append((rank, name, entry))
        ranked.sort(key=lambda r: (r[0], r[1]))
        return [entry for _rank_, _name, entry in ranked]


class EntryLookup(Protocol):
    """Read-only use of a Matcher of any table (communes, QPV, partners, sites...)."""

    def __iter__(self) -> Iterator[Entry]: ...

    def find(self, typed: str | None) -> Entry | None: ...


def _rank(query: str, words: list[str], name: str, aliases: tuple[str, ...]) -> int | None:
    if not query:
        return 0
    if name.startswith(query):
        return 0
    if f" {query}" in f" {name}":
        return 1
    if query in name:
        return 2
    if any(a.startswith(query) or f" {query}" in f" {a}" for a in aliases):
        return 3
    if any(query in a for a in aliases):
        return 4
    if all(w in name for w in words) or any(all(w in a for w in words) for a in aliases):
        return 5
    return None


# --- values read from a stored record -------------------------------------------------


@dataclass(frozen=True)
class QpvValue:
    """What a stored `Person.qpv` means."""

    kind: Literal["qpv", "outside", "unknown", "unrecognised"]
    entry: Qpv | None = None
    text: str = ""  # the stored text when unrecognised

    @property
    def token(self) -> str:
        """The value to store for it today."""
        if self.kind == "qpv" and self.entry is not None:
            return self.entry.key
        return {"outside": OUTSIDE_QPV, "unknown": UNKNOWN_QPV}.get(self.kind, self.text)


@dataclass(frozen=True)
class CommuneValue:
    """What a stored `Person.commune_insee` + `commune` mean."""

    kind: Literal["commune", "other", "unknown", "unrecognised"]
    entry: Commune | None = None
    text: str = ""  # the free name of an "other" commune, or the unrecognised text

    @property
    def label(self) -> str:
        if self.kind == "commune" and self.entry is not None:
            return self.entry.name
        if self.kind == "other":
            return f"{self.text} (hors Calvados)" if self.text else OTHER_COMMUNE_LABEL
        if self.kind == "unrecognised":
            return f"{self.text} (non reconnue)"
        return ""

    @property
    def token(self) -> str:
        """The form value: an INSEE code, `autre:<name>`, "" or the unrecognised text."""
        if self.kind == "commune" and self.entry is not None:
            return self.entry.key
        if self.kind == "other":
            return f"{OTHER_COMMUNE}:{self.text}"
        return self.text


@dataclass(frozen=True)
class Neighbourhood:
    """How a stored QPV counts on a day: the bilan's key and whether it is confirmed."""

    key: str  # a QPV label, OUTSIDE_QPV, or "" (unknown)
    entry: Qpv | None = None
    confirmed: bool = True
    unrecognised: str = ""  # the stored text that matched nothing


@dataclass
class Places:
    """Every reference table the counting needs, and the QPV geography by date."""

    communes: Matcher[Commune] = field(default_factory=lambda: Matcher([]))
    qpv: Matcher[Qpv] = field(default_factory=lambda: Matcher([]))
    maps: tuple[QpvMap, ...] = ()
    partners: Matcher[Entry] = field(default_factory=lambda: Matcher([]))
    sites: Matcher[Entry] = field(default_factory=lambda: Matcher([]))
    # extra spellings (office alias files) of "hors QPV" / "ne sait pas" / "autre commune"
    outside_words: frozenset[str] = frozenset()
    unknown_words: frozenset[str] = frozenset()
    other_commune_words: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.maps = tuple(sorted(self.maps, key=lambda m: m.start))
        self._outside = {match_key(w) for w in OUTSIDE_WORDS} | set(self.outside_words)
        self._unknown = {match_key(w) for w in UNKNOWN_WORDS} | set(self.unknown_words)
        self._other = {match_key(w) for w in OTHER_COMMUNE_WORDS} | set(self.other_commune_words)
        self._qpv_cache: dict[str, QpvValue] = {}

    # --- maps -------------------------------------------------------------------------

    def map_on(self, day: date) -> QpvMap | None:
        """The map in force on `day`; before the first map, the first map (data/qpv_maps.csv)."""
        if not self.maps:
            return None
        current = self.maps[0]
        for qpv_map in self.maps:
            if qpv_map.start <= day:
                current = qpv_map
        return current

    def before_first_map(self, day: date) -> bool:
        return bool(self.maps) and day < self.maps[0].start

    # --- QPV --------------------------------------------------------------------------

    def qpv_value(self, stored: str | None) -> QpvValue:
        """A stored `Person.qpv` (any version) -> what it means."""
        stored = (stored or "").strip()
        cached = self._qpv_cache.get(stored)
        if cached is None:
            cached = self._qpv_cache[stored] = self._read_qpv(stored)
        return cached

    def _read_qpv(self, stored: str) -> QpvValue:
        if not stored:
            return QpvValue("unknown")
        key = match_key(stored)
        if stored == OUTSIDE_QPV or key in self._outside:
            return QpvValue("outside")
        if not key or key in self._unknown:
            return QpvValue("unknown")
        entry = self.qpv.find(stored)
        if entry is not None:
            return QpvValue("qpv", entry)
        town = self.town_qpv(stored)
        if town is not None:
            return QpvValue("qpv", town)
        return QpvValue("unrecognised", text=stored)

    def town_qpv(self, typed: str) -> Qpv | None:
        """A neighbourhood written as the name of a town that has a single QPV on a map
        ("Colombelles", "HEROUVILLE ST CLAIR") means that QPV; None otherwise."""
        commune = self.communes.find(typed)
        if commune is None:
            return None
        singles = set()
        for qpv_map in self.maps or (QpvMap("", date.min),):
            rows = [
                q
                for q in self.qpv
                if commune.key in q.communes
                and (not qpv_map.id or q.membership(qpv_map.id) != OFF_MAP)
            ]
            if len(rows) == 1:
                singles.add(rows[0].key)
            elif len(rows) > 1:
                return None
        return self.qpv.get(singles.pop()) if len(singles) == 1 else None

    def neighbourhood_on(self, stored: str | None, day: date) -> Neighbourhood:
        """How a person's stored QPV counts for an event on `day` (map in force then)."""
        value = self.qpv_value(stored)
        if value.kind == "outside":
            return Neighbourhood(OUTSIDE_QPV)
        if value.kind == "unknown":
            return Neighbourhood("")
        if value.kind == "unrecognised" or value.entry is None:
            return Neighbourhood("", unrecognised=value.text)
        qpv_map = self.map_on(day)
        map_id = qpv_map.id if qpv_map else ""
        entry = value.entry
        if entry.membership(map_id) == OFF_MAP:
            return Neighbourhood(OUTSIDE_QPV, entry)
        confirmed = entry.confirmed_on(map_id)
        return Neighbourhood(entry.label_on(map_id), entry, confirmed)

    def qpv_choices(self, commune_insee: str | None, day: date) -> list[Qpv]:
        """QPV rows to offer: on the map in force on `day` (or to confirm there), those of
        the commune when one is chosen, a single one of the commune first."""
        qpv_map = self.map_on(day)
        rows = [q for q in self.qpv if qpv_map is None or q.membership(qpv_map.id) != OFF_MAP]
        if commune_insee and commune_insee != OTHER_COMMUNE:
            rows = [q for q in rows if q.in_commune(commune_insee)]
        elif commune_insee == OTHER_COMMUNE:
            rows = []
        return rows

    def qpv_label(self, stored: str | None, day: date | None = None) -> str:
        """A stored QPV as a person's file or an export shows it."""
        value = self.qpv_value(stored)
        if value.kind == "outside":
            return OUTSIDE_QPV
        if value.kind == "unknown":
            return ""
        if value.kind == "unrecognised" or value.entry is None:
            return f"{value.text} (non reconnu)"
        if day is not None:
            qpv_map = self.map_on(day)
            if qpv_map is not None:
                if value.entry.membership(qpv_map.id) == OFF_MAP:
                    return f"{value.entry.name} (hors carte {qpv_map.id})"
                return value.entry.label_on(qpv_map.id)
        return value.entry.label

    # --- communes -----------------------------------------------------------------------

    def commune_value(self, insee: str | None, name: str | None) -> CommuneValue:
        """A stored commune (INSEE code and name, any version) -> what it means."""
        insee = (insee or "").strip()
        name = (name or "").strip()
        if insee == OTHER_COMMUNE:
            return CommuneValue("other", text=name)
        entry = self.communes.get(insee) if insee else None
        if entry is None and name:
            entry = self.communes.find(name)
        if entry is not None:
            return CommuneValue("commune", entry)
        if not name:
            return CommuneValue("unknown")
        return CommuneValue("unrecognised", text=name)

    def read_commune_token(self, token: str) -> CommuneValue:
        """A form or import value: INSEE code, name, `autre:<name>`, "autre commune"."""
        token = (token or "").strip()
        head, sep, rest = token.partition(":")
        if sep and head.strip() == OTHER_COMMUNE:
            return CommuneValue("other", text=rest.strip())
        if not token:
            return CommuneValue("unknown")
        entry = self.communes.find(token)
        if entry is not None:
            return CommuneValue("commune", entry)
        if match_key(token) in self._other:
            return CommuneValue("other")
        return CommuneValue("unrecognised", text=token)

    # --- partners ------------------------------------------------------------------------

    def partner_name(self, stored: str) -> str:
        """The current name of a partner written under any of its names (else as written)."""
        entry = self.partners.find(stored)
        return entry.name if entry is not None else (stored or "").strip()
