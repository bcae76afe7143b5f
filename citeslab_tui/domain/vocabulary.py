"""The programme's closed lists: each value stored in English, shown by its French `label`.

A value and its label are declared together, once (`MADAME = "madame", "Madame"`):
forms, lists, exports, the access copy and the sync screens all read `.label`.
Pure: no I/O, no textual, no tinydb.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Vocabulary(StrEnum):
    """A closed list: `member.value` is stored, `member.label` is shown (French)."""

    _label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label


class Gender(Vocabulary):
    """Derived from the civility; labels name the groups the bilan counts."""

    F = "F", "Femmes"
    M = "M", "Hommes"
    UNKNOWN = "unknown", "Non renseigné"


class Civility(Vocabulary):
    MADAME = "madame", "Madame"
    MONSIEUR = "monsieur", "Monsieur"
    UNSPECIFIED = "non_precise", "Non précisé"

    @property
    def gender(self) -> Gender:
        """The gender the bilan counts for this civility."""
        if self is Civility.MADAME:
            return Gender.F
        return Gender.M if self is Civility.MONSIEUR else Gender.UNKNOWN


class Stage(Vocabulary):
    """Furthest stage of a project; ordered."""

    SENSITIZED = "sensitized", "Sensibilisé"
    DETECTED = "detected", "Détecté"
    EMERGENCE = "emergence", "Émergence"


STAGE_ORDER = list(Stage)


class OutcomeKind(Vocabulary):
    CREATION = "creation", "Création d'entreprise"
    EMPLOYMENT = "employment", "Retour à l'emploi (sortie positive)"
    TRAINING = "training", "Entrée en formation (sortie positive)"
    ABANDON = "abandon", "Abandon"
    LOST_TOUCH = "lost_touch", "Perdu de vue"


class Approach(Vocabulary):
    INDIVIDUAL = "individual", "Individuelle"
    COLLECTIVE = "collective", "Collective"
    UNKNOWN = "unknown", "Non renseignée"


class Channel(Vocabulary):
    PERMANENCE = "permanence", "Permanence"
    APPOINTMENT = "appointment", "Rendez-vous"
    PHONE = "phone", "Téléphone"
    OFFICE = "office", "Au bureau"


class TaskKind(Vocabulary):
    """One name per type, everywhere (quick-task preview, tasks table, the person's
    file, exports, the guide): nouns of at most 11 letters, so that the tasks table's
    Type column shows them whole."""

    CALL = "call", "Appel"
    DOCUMENT = "document", "Document"
    APPOINTMENT = "appointment", "Rendez-vous"
    CHECK_ORIENTATION = "check_orientation", "Orientation"
    OTHER = "other", "Autre"


class TaskStatus(Vocabulary):
    OPEN = "open", "À faire"
    DONE = "done", "Faite"


class QueueReason(Vocabulary):
    FIRST_CONTACT = "first_contact", "Premier contact"
    FOLLOW_UP = "follow_up", "Suivi"
    INFORMATION = "information", "Information"


class QueueStatus(Vocabulary):
    WAITING = "waiting", "En attente"
    IN_INTERVIEW = "in_interview", "En entretien"
    SEEN = "seen", "Reçu"
    LEFT = "left", "Parti sans être reçu"
    REDIRECTED = "redirected", "Réorienté"


class CollectiveKind(Vocabulary):
    INFORMATION_MEETING = "information_meeting", "Réunion d'information"
    FORUM = "forum", "Forum"
    WORKSHOP = "workshop", "Atelier"
