"""The "Qualité des données" part of a bilan: one French sentence per fact (screen,
text, CSV, XLSX and the JSON `lines`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from citeslab_tui.domain.bilan.labels import INDICATOR_LABELS
from citeslab_tui.domain.text import format_int

if TYPE_CHECKING:
    from citeslab_tui.domain.bilan.result import Bilan

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
