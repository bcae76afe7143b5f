"""What the commune and QPV pickers of the person form offer: the reference's entries
whose name (or an alias) contains the typed text, the entry a text names exactly, and
the text a field shows for a stored value. Free text is refused by the form's
validator (form.py); only what is offered here can be chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citeslab_tui.domain import places as P
from citeslab_tui.domain import text


@dataclass(frozen=True)
class Offer:
    """One line of a picker's list: the value stored when chosen, French text shown."""

    token: str
    label: str
    detail: str = ""
    default: bool = True  # may be highlighted first; False: only chosen deliberately


def commune_label(places: P.Places, token: str) -> str:
    """What the commune field shows for a value (INSEE code, `autre:<name>`, older text)."""
    value = places.read_commune_token(token)
    if value.kind == "commune" and value.entry is not None:
        return value.entry.name
    if value.kind == "other":
        return f"{value.text} (hors Calvados)" if value.text else P.OTHER_COMMUNE_LABEL
    return f"{token} (non reconnue)" if token else ""


def commune_exact(places: P.Places, typed: str) -> Offer | None:
    """The commune a text names exactly (accents, case, "St" ignored), if exactly one."""
    value = places.read_commune_token(typed)
    if value.kind == "commune" and value.entry is not None:
        return Offer(value.entry.key, value.entry.name)
    if value.kind == "other" and value.text:
        return Offer(value.token, commune_label(places, value.token))
    return None


def commune_offers(places: P.Places, typed: str) -> list[Offer]:
    """Communes whose name (or former name) contains the text, then "Autre commune"."""
    if not text.match_key(typed):
        return []
    offers = [Offer(c.key, c.name, c.detail) for c in places.communes.search(typed)]
    if commune_exact(places, typed) is None and any(ch.isalpha() for ch in typed):
        name = text.clean_text(typed, text.MAX_NAME)
        offers.append(
            Offer(f"{P.OTHER_COMMUNE}:{name}", f"{P.OTHER_COMMUNE_LABEL} : {name}", default=False)
        )
    return offers


def _specials() -> list[Offer]:
    return [Offer(P.OUTSIDE_QPV, P.OUTSIDE_QPV), Offer(P.UNKNOWN_QPV, P.UNKNOWN_QPV_LABEL)]


def qpv_label(places: P.Places, token: str, day: date) -> str:
    """What the QPV field shows for a value (a key, "hors QPV", "", older text)."""
    return places.qpv_label(token, day)


def _commune_insee(places: P.Places, commune_token: str) -> str | None:
    value = places.read_commune_token(commune_token)
    if value.kind == "commune" and value.entry is not None:
        return value.entry.key
    return P.OTHER_COMMUNE if value.kind == "other" else None


def qpv_offers(places: P.Places, commune_token: str, typed: str, day: date) -> list[Offer]:
    """QPV on the map in force on `day`, of the chosen commune when there is one, whose
    name or alias contains the text; then "hors QPV" and "ne sait pas"."""
    insee = _commune_insee(places, commune_token)
    qpv_map = places.map_on(day)
    rows = places.qpv_choices(insee, day)
    if text.match_key(typed):
        rows = places.qpv.search(typed, among=rows)
    else:
        rows = sorted(rows, key=lambda q: text.match_key(q.name))
    offers = []
    for q in rows:
        detail = q.detail
        if insee and insee in q.doubtful_communes:
            detail += f" ({P.UNCONFIRMED} pour cette commune)"
        offers.append(Offer(q.key, q.label_on(qpv_map.id) if qpv_map else q.label, detail))
    key = text.match_key(typed)
    offers += [o for o in _specials() if not key or key in text.match_key(o.label)]
    return offers


def qpv_exact(places: P.Places, commune_token: str, typed: str, day: date) -> Offer | None:
    """The list entry a text names exactly: a QPV offered here, "hors QPV", "ne sait pas"."""
    if not text.match_key(typed):
        return None
    value = places.qpv_value(typed)
    if value.kind == "outside":
        return _specials()[0]
    if value.kind == "unknown":
        return _specials()[1]
    if value.kind == "qpv" and value.entry is not None:
        insee = _commune_insee(places, commune_token)
        if value.entry in places.qpv_choices(insee, day):
            return Offer(value.entry.key, places.qpv_label(value.entry.key, day))
    return None
