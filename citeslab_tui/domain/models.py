"""The programme's records, in its own words (pydantic v2).

Every stored record shares one envelope (`Record`): a UUID made on the device,
created/updated stamps, the staff member and device that wrote it, and the
sync metadata (`Meta`: hybrid logical clock, version vector, per-field dots and
conflicts) that lets files of several laptops be merged (see `merge.py`).
Dates are `date` (ISO in storage, dd/mm/yyyy on screen); instants are UTC.

No field exists for social-security number, health, religion or ethnicity: the
programme does not need them and must not collect them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from citeslab_tui.domain import text


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- vocabularies: value (English, stored) -> French label (shown) -------------


class Civility(StrEnum):
    MADAME = "madame"
    MONSIEUR = "monsieur"
    UNSPECIFIED = "non_precise"


CIVILITY_LABELS = {
    Civility.MADAME: "Madame",
    Civility.MONSIEUR: "Monsieur",
    Civility.UNSPECIFIED: "Non précisé",
}


class Gender(StrEnum):
    F = "F"
    M = "M"
    UNKNOWN = "unknown"


GENDER_LABELS = {Gender.F: "Femmes", Gender.M: "Hommes", Gender.UNKNOWN: "Non renseigné"}


class Stage(StrEnum):
    """Furthest stage of a project; ordered."""

    SENSITIZED = "sensitized"
    DETECTED = "detected"
    EMERGENCE = "emergence"


STAGE_LABELS = {
    Stage.SENSITIZED: "Sensibilisé",
    Stage.DETECTED: "Détecté",
    Stage.EMERGENCE: "Émergence",
}
STAGE_ORDER = [Stage.SENSITIZED, Stage.DETECTED, Stage.EMERGENCE]


class OutcomeKind(StrEnum):
    CREATION = "creation"
    EMPLOYMENT = "employment"
    TRAINING = "training"
    ABANDON = "abandon"
    LOST_TOUCH = "lost_touch"


OUTCOME_LABELS = {
    OutcomeKind.CREATION: "Création d'entreprise",
    OutcomeKind.EMPLOYMENT: "Retour à l'emploi (sortie positive)",
    OutcomeKind.TRAINING: "Entrée en formation (sortie positive)",
    OutcomeKind.ABANDON: "Abandon",
    OutcomeKind.LOST_TOUCH: "Perdu de vue",
}


class Approach(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    UNKNOWN = "unknown"


APPROACH_LABELS = {
    Approach.INDIVIDUAL: "Individuelle",
    Approach.COLLECTIVE: "Collective",
    Approach.UNKNOWN: "Non renseignée",
}


class Channel(StrEnum):
    PERMANENCE = "permanence"
    APPOINTMENT = "appointment"
    PHONE = "phone"
    OFFICE = "office"


CHANNEL_LABELS = {
    Channel.PERMANENCE: "Permanence",
    Channel.APPOINTMENT: "Rendez-vous",
    Channel.PHONE: "Téléphone",
    Channel.OFFICE: "Au bureau",
}


class TaskKind(StrEnum):
    CALL = "call"
    DOCUMENT = "document"
    APPOINTMENT = "appointment"
    CHECK_ORIENTATION = "check_orientation"
    OTHER = "other"


TASK_KIND_LABELS = {
    TaskKind.CALL: "Rappeler",
    TaskKind.DOCUMENT: "Document",
    TaskKind.APPOINTMENT: "Rendez-vous",
    TaskKind.CHECK_ORIENTATION: "Vérifier l'orientation",
    TaskKind.OTHER: "Autre",
}


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class QueueReason(StrEnum):
    FIRST_CONTACT = "first_contact"
    FOLLOW_UP = "follow_up"
    INFORMATION = "information"


QUEUE_REASON_LABELS = {
    QueueReason.FIRST_CONTACT: "Premier contact",
    QueueReason.FOLLOW_UP: "Suivi",
    QueueReason.INFORMATION: "Information",
}


class QueueStatus(StrEnum):
    WAITING = "waiting"
    IN_INTERVIEW = "in_interview"
    SEEN = "seen"
    LEFT = "left"
    REDIRECTED = "redirected"


QUEUE_STATUS_LABELS = {
    QueueStatus.WAITING: "En attente",
    QueueStatus.IN_INTERVIEW: "En entretien",
    QueueStatus.SEEN: "Reçu",
    QueueStatus.LEFT: "Parti sans être reçu",
    QueueStatus.REDIRECTED: "Réorienté",
}


class CollectiveKind(StrEnum):
    INFORMATION_MEETING = "information_meeting"
    FORUM = "forum"
    WORKSHOP = "workshop"


COLLECTIVE_KIND_LABELS = {
    CollectiveKind.INFORMATION_MEETING: "Réunion d'information",
    CollectiveKind.FORUM: "Forum",
    CollectiveKind.WORKSHOP: "Atelier",
}


# --- the record envelope ---------------------------------------------------------


class Meta(BaseModel):
    """Envelope of every stored record; the sync merge reads and writes it.

    - `hlc`: hybrid logical clock of the last write (sortable string, see hlc.py);
    - `vv`: version vector {device: counter} of the writes this version includes;
    - `dots`: {field: [device, counter]} of the write that last set each field;
    - `conflicts`: {field: [[device, counter, value], ...]} concurrent values kept
      for review after a merge, never dropped silently;
    - `lseq`: local change sequence in this database file (what to export next).
    """

    model_config = ConfigDict(extra="allow")

    created_at: datetime
    created_by: str = ""
    created_device: str = ""
    updated_at: datetime
    updated_by: str = ""
    device: str = ""
    hlc: str = ""
    vv: dict[str, int] = Field(default_factory=dict)
    dots: dict[str, list] = Field(default_factory=dict)
    conflicts: dict[str, list] = Field(default_factory=dict)
    lseq: int = 0
    deleted: bool = False


class Record(BaseModel):
    """Base of every stored record: `kind` names its collection."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    kind: ClassVar[str] = ""
    # Fields holding personal data (identity, contact, free text): removed by erasure
    # and anonymisation, never logged.
    personal_fields: ClassVar[frozenset[str]] = frozenset()

    id: str = Field(default_factory=new_id)
    meta: Meta | None = None

    def content(self) -> dict:
        """The domain fields as JSON-ready values (no id, no envelope)."""
        return self.model_dump(mode="json", exclude={"id", "meta"})


ShortText = Annotated[str, Field(max_length=200)]
Note = Annotated[str, Field(max_length=4000)]


class Person(Record):
    """A porteur de projet (or someone only made aware of the service)."""

    kind: ClassVar[str] = "person"
    personal_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "family_name",
            "usage_name",
            "first_name",
            "birth_date",
            "birth_year",
            "phone",
            "email",
            "project_idea",
            "notes",
            "next_step",
        }
    )

    civility: Civility = Civility.UNSPECIFIED
    family_name: str = ""
    usage_name: str = ""
    first_name: str = ""
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    birth_date: date | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    commune_insee: str | None = None
    commune: str = ""
    qpv: str = ""  # neighbourhood name, "hors QPV", or "" = unknown
    qpv_checked: bool = False
    situation: str = ""
    training_level: str = ""
    project_idea: ShortText = ""
    sector: str = ""
    approach: Approach = Approach.UNKNOWN
    heard_from: str = ""
    next_step: ShortText = ""
    first_site: str = ""
    notice_given_on: date | None = None  # information notice (GDPR) given at intake
    notes: Note = ""
    legacy_key: str | None = None  # set by the legacy register import (idempotence)
    erased_at: datetime | None = None  # right to erasure / anonymisation applied

    @field_validator("family_name", "usage_name", "first_name", mode="before")
    @classmethod
    def _nfc(cls, value: object) -> object:
        return text.clean_text(value, text.MAX_NAME) if isinstance(value, str) else value

    @field_validator(
        "commune", "qpv", "situation", "training_level", "sector", "heard_from", mode="before"
    )
    @classmethod
    def _clean(cls, value: object) -> object:
        return text.clean_text(value, 200) if isinstance(value, str) else value

    @property
    def gender(self) -> Gender:
        return {Civility.MADAME: Gender.F, Civility.MONSIEUR: Gender.M}.get(
            self.civility, Gender.UNKNOWN
        )

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return "(personne effacée)"
        family = self.usage_name or self.family_name
        return " ".join(part for part in (family.upper(), self.first_name) if part) or "(sans nom)"

    def search_text(self) -> str:
        """Folded text searched by Ctrl+F: names, phone (both writings), e-mail."""
        parts = [self.family_name, self.usage_name, self.first_name, self.email or ""]
        if self.phone:
            parts += [self.phone, text.format_phone(self.phone).replace(" ", "")]
        return text.fold(" ".join(parts))


class Interview(Record):
    """An individual interview (entretien): at a permanence, an appointment or by phone."""

    kind: ClassVar[str] = "interview"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str
    on: date
    site: str = ""
    staff: str = ""
    channel: Channel = Channel.PERMANENCE
    notes: Note = ""


class StageEvent(Record):
    """The project reached a stage on a date (sensibilisation, détection, Émergence)."""

    kind: ClassVar[str] = "stage"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str
    stage: Stage
    on: date
    site: str = ""
    notes: Note = ""


class Orientation(Record):
    """Referral to a partner on a date; `met` records whether the person met it."""

    kind: ClassVar[str] = "orientation"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str
    partner: str
    on: date
    met: bool | None = None
    notes: Note = ""


class Outcome(Record):
    """Issue / sortie: business created, employment, training, abandon, lost touch."""

    kind: ClassVar[str] = "outcome"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str
    outcome: OutcomeKind
    on: date
    notes: Note = ""


class FollowUpTask(Record):
    """Something promised: call back, send a document, an appointment, a check."""

    kind: ClassVar[str] = "task"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"title", "notes"})

    person_id: str | None = None
    task_kind: TaskKind = TaskKind.OTHER
    title: ShortText = ""
    due: date
    time: str | None = None  # "HH:MM" for appointments
    site: str = ""
    assigned_to: str = ""
    status: TaskStatus = TaskStatus.OPEN
    done_on: date | None = None
    orientation_id: str | None = None
    notes: Note = ""

    @field_validator("time")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        hh, _, mm = value.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ValueError("Heure invalide (HH:MM).")
        return f"{int(hh):02d}:{int(mm):02d}"


class QueueEntry(Record):
    """An arrival in the queue of a permanence day."""

    kind: ClassVar[str] = "queue"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"display_name"})

    day: date
    site: str
    arrived_at: datetime | None = None  # None: expected (appointment) not yet arrived
    person_id: str | None = None
    display_name: str = ""  # first name only for a walk-in not yet identified
    reason: QueueReason = QueueReason.FIRST_CONTACT
    appointment: bool = False
    task_id: str | None = None
    status: QueueStatus = QueueStatus.WAITING
    started_at: datetime | None = None
    ended_at: datetime | None = None
    position: float = 0.0


class CollectiveAction(Record):
    """An information meeting, forum or workshop, counted by heads."""

    kind: ClassVar[str] = "collective"

    action_kind: CollectiveKind = CollectiveKind.INFORMATION_MEETING
    on: date
    site: str = ""
    title: ShortText = ""
    women: int = Field(default=0, ge=0, le=100000)
    men: int = Field(default=0, ge=0, le=100000)
    unknown: int = Field(default=0, ge=0, le=100000)

    @property
    def heads(self) -> int:
        return self.women + self.men + self.unknown


class SuggestionDismissal(Record):
    """A suggested follow-up the user dismissed (services/tasks.py), remembered and synced.

    `key` names the suggestion and what it was based on (e.g. "check:<orientation id>"),
    so a new fact (a later contact) makes a new suggestion.
    """

    kind: ClassVar[str] = "dismissal"

    key: ShortText
    person_id: str | None = None
    on: date


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls
    for cls in (
        Person,
        Interview,
        StageEvent,
        Orientation,
        Outcome,
        FollowUpTask,
        QueueEntry,
        CollectiveAction,
        SuggestionDismissal,
    )
}

# Records of these kinds belong to a person (erasure and access follow `person_id`).
PERSON_LINKED_KINDS = (
    "interview",
    "stage",
    "orientation",
    "outcome",
    "task",
    "queue",
    "dismissal",
)


class Site(BaseModel):
    """A permanence site (reference data, editable by the user)."""

    name: str
    commune: str = ""
    status: str = ""


class Settings(BaseModel):
    """Local settings of one laptop (not synced)."""

    model_config = ConfigDict(extra="ignore")

    structure: str = ""
    # The structure's id (32 hex): made by the office's `init --office`, taken by a
    # laptop from the office identity it trusts; carried by every sync bundle.
    structure_id: str = Field(default="", pattern=r"^([0-9a-f]{32})?$")
    staff: list[str] = Field(default_factory=list)
    current_staff: str = ""
    device_name: str = ""
    device_id: str = ""
    sites: list[str] = Field(default_factory=list)
    last_site: str = ""
    backups_keep: int = Field(default=14, ge=1, le=365)
    idle_hide_minutes: int = Field(default=5, ge=0, le=240)
    retention_months: int = Field(default=24, ge=1, le=240)
    retention_reminded_on: date | None = None  # last monthly retention reminder shown
    role: Literal["laptop", "office"] = "laptop"
    sync_folder: str = ""  # last folder used by the sync screen (USB stick, share)

    @property
    def configured(self) -> bool:
        return bool(self.structure and self.staff and self.device_id)
