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
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from citeslab_tui.domain import text
from citeslab_tui.domain.vocabulary import (
    STAGE_ORDER,
    Approach,
    Channel,
    Civility,
    CollectiveKind,
    Gender,
    OutcomeKind,
    QueueReason,
    QueueStatus,
    Stage,
    TaskKind,
    TaskStatus,
    Vocabulary,
)

# The vocabularies are declared in vocabulary.py and used here; they are re-exported so
# that a reader (or an import) starting from the records finds them.
__all__ = [
    "PERSON_LINKED_KINDS",
    "RECORD_TYPES",
    "STAGE_ORDER",
    "Approach",
    "Channel",
    "Civility",
    "CollectiveAction",
    "CollectiveKind",
    "FollowUpTask",
    "Gender",
    "Interview",
    "Meta",
    "Orientation",
    "Outcome",
    "OutcomeKind",
    "Person",
    "QueueEntry",
    "QueueReason",
    "QueueStatus",
    "Record",
    "Settings",
    "Site",
    "Stage",
    "StageEvent",
    "SuggestionDismissal",
    "TaskKind",
    "TaskStatus",
    "Vocabulary",
    "new_id",
    "utcnow",
]


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    dots: dict[str, list[Any]] = Field(default_factory=dict)
    conflicts: dict[str, list[Any]] = Field(default_factory=dict)
    lseq: int = 0
    deleted: bool = False


class Record(BaseModel):
    """Base of every stored record: `kind` names its collection.

    Each field's French title (`Field(title=...)`) is the one label a staff member
    reads for it everywhere: forms, exports, the access copy, the sync screens. The
    kind's own words: `noun` (singular, plural: "3 entretiens"), `heading` (one
    record as a title: "Entretien") and `date_field` (the field that dates it)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    kind: ClassVar[str] = ""
    noun: ClassVar[tuple[str, str]] = ("enregistrement", "enregistrements")
    heading: ClassVar[str] = "Enregistrement"
    date_field: ClassVar[str | None] = None
    # Fields holding personal data (identity, contact, free text): removed by erasure
    # and anonymisation, never logged.
    personal_fields: ClassVar[frozenset[str]] = frozenset()

    id: str = Field(default_factory=new_id, title="Identifiant")
    meta: Meta | None = None

    def content(self) -> dict[str, Any]:
        """The domain fields as JSON-ready values (no id, no envelope)."""
        return self.model_dump(mode="json", exclude={"id", "meta"})


ShortText = Annotated[str, Field(max_length=200)]
Note = Annotated[str, Field(max_length=4000)]
# What a field holds, for the forms that read it and the screens that show it
# (json_schema_extra): "input" a person's name, a phone number, an e-mail, a commune or
# a QPV; "table" the reference table its names come from; "required" on a form.


class Person(Record):
    """A porteur de projet (or someone only made aware of the service)."""

    kind: ClassVar[str] = "person"
    noun: ClassVar[tuple[str, str]] = ("personne", "personnes")
    heading: ClassVar[str] = "Fiche de la personne"
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

    civility: Civility = Field(default=Civility.UNSPECIFIED, title="Civilité")
    family_name: str = Field(
        default="",
        title="Nom de famille",
        description="obligatoire",
        json_schema_extra={"input": "name", "required": True},
    )
    usage_name: str = Field(default="", title="Nom d'usage", json_schema_extra={"input": "name"})
    first_name: str = Field(default="", title="Prénom", json_schema_extra={"input": "name"})
    birth_year: int | None = Field(default=None, ge=1900, le=2100, title="Année de naissance")
    birth_date: date | None = Field(default=None, title="Date de naissance")
    phone: str | None = Field(
        # E.164
        default=None,
        title="Téléphone",
        description="06 12 34 56 78",
        json_schema_extra={"input": "phone"},
    )
    email: str | None = Field(
        default=None,
        title="E-mail",
        description="nom@exemple.fr",
        json_schema_extra={"input": "email"},
    )
    commune_insee: str | None = Field(default=None, title="Code INSEE de la commune")
    commune: str = Field(
        default="",
        title="Commune",
        description="tapez puis Tab : Caen, Hérouville…",
        json_schema_extra={"input": "commune"},
    )
    qpv: str = Field(
        # a QPV key, "hors QPV", or "" = unknown (domain/places.py)
        default="",
        title="QPV",
        description="tapez ou ↓ : quartier, hors QPV, ne sait pas",
        json_schema_extra={"input": "qpv"},
    )
    qpv_checked: bool = Field(default=False, title="Résidence QPV vérifiée")
    situation: str = Field(default="", title="Situation", json_schema_extra={"table": "situations"})
    training_level: str = Field(
        default="", title="Niveau de formation", json_schema_extra={"table": "training_levels"}
    )
    project_idea: ShortText = Field(default="", title="Idée de projet", description="une ligne")
    sector: str = Field(default="", title="Secteur", json_schema_extra={"table": "sectors"})
    approach: Approach = Field(default=Approach.UNKNOWN, title="Démarche")
    heard_from: str = Field(default="", title="Connu par", json_schema_extra={"table": "sources"})
    next_step: ShortText = Field(default="", title="Prochaine étape")
    first_site: str = Field(
        default="", title="Site de l'accueil", description="site de la permanence"
    )
    # information notice (GDPR) given at intake
    notice_given_on: date | None = Field(default=None, title="Notice d'information remise le")
    notes: Note = Field(default="", title="Notes")
    # set by the legacy register import (idempotence)
    legacy_key: str | None = Field(default=None, title="Clé du registre importé")
    # right to erasure / anonymisation applied
    erased_at: datetime | None = Field(default=None, title="Données effacées le")

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
        return self.civility.gender

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
    noun: ClassVar[tuple[str, str]] = ("entretien", "entretiens")
    heading: ClassVar[str] = "Entretien"
    date_field: ClassVar[str | None] = "on"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str = Field(title="Identifiant de la personne")
    on: date = Field(title="Date")
    site: str = Field(default="", title="Site")
    staff: str = Field(default="", title="Chef de projet")
    channel: Channel = Field(default=Channel.PERMANENCE, title="Canal")
    notes: Note = Field(default="", title="Notes")


class StageEvent(Record):
    """The project reached a stage on a date (sensibilisation, détection, Émergence)."""

    kind: ClassVar[str] = "stage"
    noun: ClassVar[tuple[str, str]] = ("étape", "étapes")
    heading: ClassVar[str] = "Étape du projet"
    date_field: ClassVar[str | None] = "on"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str = Field(title="Identifiant de la personne")
    stage: Stage = Field(title="Étape")
    on: date = Field(title="Date")
    site: str = Field(default="", title="Site")
    notes: Note = Field(default="", title="Notes")


class Orientation(Record):
    """Referral to a partner on a date; `met` records whether the person met it."""

    kind: ClassVar[str] = "orientation"
    noun: ClassVar[tuple[str, str]] = ("orientation", "orientations")
    heading: ClassVar[str] = "Orientation"
    date_field: ClassVar[str | None] = "on"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str = Field(title="Identifiant de la personne")
    partner: str = Field(title="Partenaire", json_schema_extra={"table": "partners"})
    on: date = Field(title="Date")
    met: bool | None = Field(default=None, title="Rencontré")
    notes: Note = Field(default="", title="Notes")


class Outcome(Record):
    """Issue / sortie: business created, employment, training, abandon, lost touch."""

    kind: ClassVar[str] = "outcome"
    noun: ClassVar[tuple[str, str]] = ("issue", "issues")
    heading: ClassVar[str] = "Issue"
    date_field: ClassVar[str | None] = "on"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"notes"})

    person_id: str = Field(title="Identifiant de la personne")
    outcome: OutcomeKind = Field(title="Issue")
    on: date = Field(title="Date")
    notes: Note = Field(default="", title="Notes")


class FollowUpTask(Record):
    """Something promised: call back, send a document, an appointment, a check."""

    kind: ClassVar[str] = "task"
    noun: ClassVar[tuple[str, str]] = ("tâche", "tâches")
    heading: ClassVar[str] = "Tâche de suivi"
    date_field: ClassVar[str | None] = "due"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"title", "notes"})

    person_id: str | None = Field(default=None, title="Identifiant de la personne")
    task_kind: TaskKind = Field(default=TaskKind.OTHER, title="Type")
    title: ShortText = Field(default="", title="Intitulé")
    due: date = Field(title="Échéance")
    time: str | None = Field(default=None, title="Heure")  # "HH:MM" for appointments
    site: str = Field(default="", title="Site")
    assigned_to: str = Field(default="", title="Confiée à")
    status: TaskStatus = Field(default=TaskStatus.OPEN, title="Statut")
    done_on: date | None = Field(default=None, title="Faite le")
    orientation_id: str | None = Field(default=None, title="Orientation liée")
    notes: Note = Field(default="", title="Notes")

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
    noun: ClassVar[tuple[str, str]] = ("arrivée", "arrivées")
    heading: ClassVar[str] = "Arrivée en permanence"
    date_field: ClassVar[str | None] = "day"
    personal_fields: ClassVar[frozenset[str]] = frozenset({"display_name"})

    day: date = Field(title="Jour")
    site: str = Field(title="Site")
    # None: expected (appointment) not yet arrived
    arrived_at: datetime | None = Field(default=None, title="Arrivée à")
    person_id: str | None = Field(default=None, title="Identifiant de la personne")
    # first name only for a walk-in not yet identified
    display_name: str = Field(default="", title="Nom affiché")
    reason: QueueReason = Field(default=QueueReason.FIRST_CONTACT, title="Motif")
    appointment: bool = Field(default=False, title="Sur rendez-vous")
    task_id: str | None = Field(default=None, title="Tâche liée")
    status: QueueStatus = Field(default=QueueStatus.WAITING, title="Statut")
    started_at: datetime | None = Field(default=None, title="Début de l'entretien")
    ended_at: datetime | None = Field(default=None, title="Fin de l'entretien")
    position: float = Field(default=0.0, title="Rang dans la file")


class CollectiveAction(Record):
    """An information meeting, forum or workshop, counted by heads."""

    kind: ClassVar[str] = "collective"
    noun: ClassVar[tuple[str, str]] = ("action collective", "actions collectives")
    heading: ClassVar[str] = "Action collective"
    date_field: ClassVar[str | None] = "on"

    action_kind: CollectiveKind = Field(
        default=CollectiveKind.INFORMATION_MEETING, title="Type d'action"
    )
    on: date = Field(title="Date")
    site: str = Field(default="", title="Site")
    title: ShortText = Field(default="", title="Intitulé")
    women: int = Field(default=0, ge=0, le=100000, title="Femmes")
    men: int = Field(default=0, ge=0, le=100000, title="Hommes")
    unknown: int = Field(default=0, ge=0, le=100000, title="Non renseigné")

    @property
    def heads(self) -> int:
        return self.women + self.men + self.unknown


class SuggestionDismissal(Record):
    """A suggested follow-up the user dismissed (services/tasks), remembered and synced.

    `key` names the suggestion and what it was based on (e.g. "check:<orientation id>"),
    so a new fact (a later contact) makes a new suggestion.
    """

    kind: ClassVar[str] = "dismissal"
    noun: ClassVar[tuple[str, str]] = ("suggestion écartée", "suggestions écartées")
    heading: ClassVar[str] = "Suggestion de suivi écartée"
    date_field: ClassVar[str | None] = "on"

    key: ShortText = Field(title="Suggestion")
    person_id: str | None = Field(default=None, title="Identifiant de la personne")
    on: date = Field(title="Date")


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
