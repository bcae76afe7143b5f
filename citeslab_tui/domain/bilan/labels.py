"""The bilan's indicators and breakdowns: their keys (the JSON form of the spec) and
French labels."""

from __future__ import annotations

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


def value_label(key: str) -> str:
    """French label of a breakdown value (F, M, individual, ..., unknown, or a name)."""
    return VALUE_LABELS.get(key, key)
