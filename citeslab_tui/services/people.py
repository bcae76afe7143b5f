"""Use cases on a person: quick intake, edit, interviews, stages, orientations, outcomes,
and the person's timeline. Called by the intake screen, the person's file and other
areas (tasks, privacy). No Textual here.

Forms hand over raw typed values (`dict[str, str | bool]`, see `FORM_FIELDS`); every
problem is reported per field in French (`FormErrors.errors`), and nothing is saved
unless every field is valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pydantic

from citeslab_tui.domain import places as P
from citeslab_tui.domain import text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    APPROACH_LABELS,
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    STAGE_LABELS,
    STAGE_ORDER,
    TASK_KIND_LABELS,
    Approach,
    Channel,
    Civility,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    QueueEntry,
    QueueReason,
    QueueStatus,
    Record,
    Stage,
    StageEvent,
    TaskStatus,
)
from citeslab_tui.services import search

# Person fields a form edits, in the order of the intake sheet (DOMAIN.md), with the
# French label shown next to each. `notice_given` and `birth` are form-only fields.
FORM_FIELDS: dict[str, str] = {
    "notice_given": "Notice d'information remise",
    "civility": "Civilité",
    "family_name": "Nom de famille",
    "usage_name": "Nom d'usage",
    "first_name": "Prénom",
    "birth": "Naissance (année ou date)",
    "phone": "Téléphone",
    "email": "E-mail",
    "commune": "Commune",
    "qpv": "QPV",
    "qpv_checked": "Résidence QPV vérifiée",
    "situation": "Situation",
    "training_level": "Niveau de formation",
    "project_idea": "Idée de projet",
    "sector": "Secteur",
    "approach": "Démarche",
    "heard_from": "Connu par",
    "next_step": "Prochaine étape",
    "notes": "Notes",
}
POSITIVE_OUTCOMES = frozenset({OutcomeKind.EMPLOYMENT, OutcomeKind.TRAINING})
POSITIVE_NOTE = "Emploi et formation comptent comme « sorties positives »."


class FormErrors(ValidationError):
    """One French reason per invalid field (`errors`: field -> reason)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(
            "Corrigez les champs signalés : "
            + ", ".join(FORM_FIELDS.get(k, k) for k in errors)
            + "."
        )
        self.errors = errors


def _today(today: date | None) -> date:
    return today or date.today()


def parse_birth(value: str, today: date | None = None) -> tuple[int | None, date | None]:
    """'1987' or '12/03/1987' -> (year, date); '' -> (None, None). French errors."""
    raw = text.clean_text(value, 40)
    if not raw:
        return None, None
    today = _today(today)
    if raw.isdigit() and len(raw) == 4:
        year = int(raw)
        if not 1900 <= year <= today.year:
            raise ValidationError(f"Année de naissance impossible : {year}.")
        return year, None
    try:
        born = text.parse_date(raw, today)
    except ValidationError as exc:
        raise ValidationError(exc.message + " (ou l'année seule : 1987)") from None
    if born > today:
        raise ValidationError("La date de naissance est dans le futur.")
    if born.year < 1900:
        raise ValidationError(f"Année de naissance impossible : {born.year}.")
    return born.year, born


def person_from_form(
    values: dict[str, Any],
    reference: Any,
    *,
    today: date | None = None,
    base: Person | None = None,
) -> Person:
    """A validated Person from raw form values (over `base` when editing).

    Raises FormErrors (French reason per field); fields absent from `values` keep
    the value of `base`.
    """
    today = _today(today)
    errors: dict[str, str] = {}
    update: dict[str, Any] = {}

    def raw(key: str) -> str:
        value = values.get(key, "")
        return value if isinstance(value, str) else str(value or "")

    def check(key: str, fn: Any) -> None:
        if key not in values:
            return
        try:
            fn()
        except ValidationError as exc:
            errors[key] = exc.message

    def family() -> None:
        update["family_name"] = text.clean_name(raw("family_name"), "Le nom de famille")

    def optional_name(key: str, label: str) -> Any:
        def run() -> None:
            value = text.clean_text(raw(key), text.MAX_NAME)
            if value and not any(ch.isalpha() for ch in value):
                raise ValidationError(f"{label} doit contenir au moins une lettre.")
            update[key] = value

        return run

    def birth() -> None:
        year, born = parse_birth(raw("birth"), today)
        update["birth_year"], update["birth_date"] = year, born

    def phone() -> None:
        typed = text.clean_text(raw("phone"), 40)
        update["phone"] = text.parse_phone(typed) if typed else None

    def email() -> None:
        typed = text.clean_text(raw("email"), 254)
        update["email"] = text.parse_email(typed) if typed else None

    places: P.Places = reference.places

    def commune() -> None:
        typed = text.clean_text(raw("commune"), 200)
        if base is not None and typed and typed in (base.commune_insee, base.commune):
            return  # unchanged (an older value the reference no longer knows stays as it is)
        value = places.read_commune_token(typed)
        if value.kind == "commune" and value.entry is not None:
            update["commune_insee"], update["commune"] = value.entry.key, value.entry.name
        elif value.kind == "other":
            name = text.clean_text(value.text, text.MAX_NAME)
            if not any(ch.isalpha() for ch in name):
                raise ValidationError(
                    "Autre commune : écrivez son nom (par exemple « Autre commune : Rennes »)."
                )
            update["commune_insee"], update["commune"] = P.OTHER_COMMUNE, name
        elif value.kind == "unknown":
            update["commune_insee"], update["commune"] = None, ""
        else:
            raise ValidationError(
                f"« {typed[:40]} » n'est pas une commune du Calvados : choisissez dans la liste "
                "(Tab ou →), ou « Autre commune » pour une commune hors Calvados."
            )

    def qpv() -> None:
        typed = text.clean_text(raw("qpv"), 200)
        insee = update.get("commune_insee", base.commune_insee if base is not None else None)
        commune_changed = (
            "commune_insee" in update
            and base is not None
            and places.commune_value(base.commune_insee, base.commune).token
            != places.commune_value(update["commune_insee"], update["commune"]).token
        )
        if base is not None and typed == base.qpv and not commune_changed:
            return  # unchanged (an older value stays as it is, shown "non reconnu")
        value = places.qpv_value(typed)
        if value.kind in ("outside", "unknown"):
            update["qpv"] = value.token
            return
        if value.kind == "unrecognised" or value.entry is None:
            raise ValidationError(
                f"« {typed[:40]} » n'est pas un quartier de la liste : choisissez-en un "
                "(Tab ou →), « hors QPV » ou « ne sait pas »."
            )
        if value.entry not in places.qpv_choices(insee, today):
            where = places.communes.get(insee)
            raise ValidationError(
                f"{value.entry.name} n'est pas dans la liste des quartiers prioritaires"
                + (f" de {where.name}" if where else "")
                + " (carte en vigueur) : choisissez dans la liste, « hors QPV » ou « ne sait pas »."
            )
        update["qpv"] = value.entry.key

    def from_table(key: str, table: str) -> Any:
        def run() -> None:
            update[key] = reference.canonical(table, text.clean_text(raw(key), 200))

        return run

    def short(key: str, limit: int = 200) -> Any:
        def run() -> None:
            update[key] = text.clean_text(raw(key), limit)

        return run

    def notes() -> None:
        update["notes"] = text.clean_text(raw("notes"), text.MAX_TEXT, multiline=True)

    def civility() -> None:
        value = raw("civility") or Civility.UNSPECIFIED.value
        if value not in {c.value for c in Civility}:
            raise ValidationError("Civilité inconnue.")
        update["civility"] = Civility(value)

    def approach() -> None:
        value = raw("approach") or Approach.UNKNOWN.value
        if value not in {a.value for a in Approach}:
            raise ValidationError("Démarche inconnue.")
        update["approach"] = Approach(value)

    if base is None and "family_name" not in values:
        values = {**values, "family_name": ""}
    check("family_name", family)
    check("first_name", optional_name("first_name", "Le prénom"))
    check("usage_name", optional_name("usage_name", "Le nom d'usage"))
    check("birth", birth)
    check("phone", phone)
    check("email", email)
    check("commune", commune)
    check("qpv", qpv)
    check("situation", from_table("situation", "situations"))
    check("training_level", from_table("training_level", "training_levels"))
    check("sector", from_table("sector", "sectors"))
    check("heard_from", from_table("heard_from", "sources"))
    check("project_idea", short("project_idea"))
    check("next_step", short("next_step"))
    check("notes", notes)
    check("civility", civility)
    check("approach", approach)
    if "qpv_checked" in values:
        update["qpv_checked"] = bool(values["qpv_checked"])
    if "notice_given" in values:
        given = bool(values["notice_given"])
        previous = base.notice_given_on if base is not None else None
        update["notice_given_on"] = (previous or today) if given else None
    if errors:
        raise FormErrors(errors)
    try:
        if base is None:
            return Person(**update)
        data = base.model_dump()
        data.update(update)
        return Person.model_validate(data)
    except pydantic.ValidationError as exc:
        field = str(exc.errors()[0].get("loc", ("?",))[0])
        raise FormErrors({field: "Valeur refusée."}) from None


def form_values(person: Person, places: P.Places | None = None) -> dict[str, Any]:
    """A person's fields as a form shows them (the inverse of person_from_form).

    Commune and QPV are given as the pickers hold them: an INSEE code (or
    `autre:<name>`) and a QPV key; with `places`, older stored values are normalised
    first (a QPV name becomes its key)."""
    if person.birth_date is not None:
        birth = text.format_date(person.birth_date)
    else:
        birth = str(person.birth_year) if person.birth_year else ""
    return {
        "notice_given": person.notice_given_on is not None,
        "civility": person.civility.value,
        "family_name": person.family_name,
        "usage_name": person.usage_name,
        "first_name": person.first_name,
        "birth": birth,
        "phone": text.format_phone(person.phone),
        "email": person.email or "",
        "commune": commune_token(person, places),
        "qpv": places.qpv_value(person.qpv).token if places is not None else person.qpv,
        "qpv_checked": person.qpv_checked,
        "situation": person.situation,
        "training_level": person.training_level,
        "project_idea": person.project_idea,
        "sector": person.sector,
        "approach": person.approach.value,
        "heard_from": person.heard_from,
        "next_step": person.next_step,
        "notes": person.notes,
    }


def commune_token(person: Person, places: P.Places | None = None) -> str:
    """The commune as a form holds it: INSEE code, `autre:<name>`, or older text."""
    if places is not None:
        return places.commune_value(person.commune_insee, person.commune).token
    if person.commune_insee == P.OTHER_COMMUNE:
        return f"{P.OTHER_COMMUNE}:{person.commune}"
    return person.commune_insee or person.commune


# --- what the commune and QPV pickers offer ----------------------------------------------


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


# --- saving -----------------------------------------------------------------------------


def _site(ws: Any, site: str | None) -> str:
    if site:
        return site
    names = ws.site_names()
    return ws.settings.last_site or (names[0] if names else "")


def _saved(ws: Any, *records: Record) -> list[Any]:
    """One durable save; keeps the search index current."""
    before = ws.repo.lseq
    saved = ws.repo.save(*records)
    index = search.index_if_built(ws.repo)
    if index is not None:
        if index.lseq == before:  # nothing else changed since: upsert just ours
            for record in saved:
                if record.kind == "person":
                    index.upsert_doc(ws.repo.doc("person", record.id))
            index.lseq = ws.repo.lseq
        else:
            index.refresh(ws.repo)
    return saved


def get_person(ws: Any, person_id: str) -> Person:
    person = ws.repo.get(Person, person_id)
    if person is None:
        raise ValidationError("Cette personne n'existe plus (effacée ou supprimée).")
    return person


@dataclass
class IntakeResult:
    person: Person
    interview: Interview
    stage: StageEvent
    queue_entry: QueueEntry


def create_person_with_intake(
    ws: Any,
    values: dict[str, Any],
    *,
    site: str | None = None,
    staff: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    queue_entry_id: str | None = None,
) -> IntakeResult:
    """Quick intake: the person, a first interview, the sensitization stage and the queue
    entry (new, or `queue_entry_id` now linked) in ONE durable save.

    Raises FormErrors for invalid fields, StoreError if the save failed (nothing saved).
    """
    today = _today(today)
    now = now or datetime.now(UTC)
    site = _site(ws, site)
    staff = staff if staff is not None else ws.repo.staff
    person = person_from_form(values, ws.reference, today=today)
    person.first_site = site
    interview = Interview(
        person_id=person.id, on=today, site=site, staff=staff, channel=Channel.PERMANENCE
    )
    stage = StageEvent(person_id=person.id, stage=Stage.SENSITIZED, on=today, site=site)
    entry = ws.repo.get(QueueEntry, queue_entry_id) if queue_entry_id else None
    if entry is not None:
        entry = entry.model_copy(
            update={
                "person_id": person.id,
                "status": QueueStatus.IN_INTERVIEW,
                "started_at": entry.started_at or now,
                "display_name": entry.display_name or person.first_name,
            }
        )
    else:
        iso = today.isoformat()
        positions = [
            float(doc.get("position", 0.0))
            for doc in ws.repo.docs("queue")
            if doc.get("day") == iso and text.fold(doc.get("site", "")) == text.fold(site)
        ]
        entry = QueueEntry(
            day=today,
            site=site,
            arrived_at=now,
            person_id=person.id,
            display_name=person.first_name,
            reason=QueueReason.FIRST_CONTACT,
            status=QueueStatus.IN_INTERVIEW,
            started_at=now,
            position=max(positions, default=-1.0) + 1.0,
        )
    saved = _saved(ws, person, interview, stage, entry)
    return IntakeResult(*saved)


def link_queue_entry(
    ws: Any, queue_entry_id: str, person_id: str, *, now: datetime | None = None
) -> QueueEntry | None:
    """The arrival turned out to be a person already known: link it, status in interview."""
    entry = ws.repo.get(QueueEntry, queue_entry_id)
    if entry is None:
        return None
    entry = entry.model_copy(
        update={
            "person_id": person_id,
            "status": QueueStatus.IN_INTERVIEW,
            "started_at": entry.started_at or now or datetime.now(UTC),
        }
    )
    return _saved(ws, entry)[0]


def update_person(
    ws: Any, person_id: str, values: dict[str, Any], *, today: date | None = None
) -> Person:
    """Edit any field of a person (raw form values; absent keys unchanged)."""
    base = get_person(ws, person_id)
    person = person_from_form(values, ws.reference, today=today, base=base)
    return _saved(ws, person)[0]


def _on(value: date | str | None, today: date | None) -> date:
    if value is None or value == "":
        return _today(today)
    if isinstance(value, date):
        return value
    on = text.parse_date(value, _today(today))
    if on > _today(today):
        raise ValidationError("La date est dans le futur.")
    return on


def log_interview(
    ws: Any,
    person_id: str,
    *,
    on: date | str | None = None,
    channel: Channel | str = Channel.PERMANENCE,
    notes: str = "",
    site: str | None = None,
    staff: str | None = None,
    today: date | None = None,
) -> Interview:
    """Log an interview (default today, current site and staff member)."""
    get_person(ws, person_id)
    interview = Interview(
        person_id=person_id,
        on=_on(on, today),
        site=_site(ws, site),
        staff=staff if staff is not None else ws.repo.staff,
        channel=Channel(channel),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, interview)[0]


def change_stage(
    ws: Any,
    person_id: str,
    stage: Stage | str,
    *,
    on: date | str | None = None,
    site: str | None = None,
    notes: str = "",
    today: date | None = None,
) -> StageEvent:
    get_person(ws, person_id)
    event = StageEvent(
        person_id=person_id,
        stage=Stage(stage),
        on=_on(on, today),
        site=_site(ws, site),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, event)[0]


def add_orientation(
    ws: Any,
    person_id: str,
    partner: str,
    *,
    on: date | str | None = None,
    notes: str = "",
    today: date | None = None,
) -> Orientation:
    get_person(ws, person_id)
    typed = text.clean_text(partner, 200)
    if not typed:
        raise ValidationError("Indiquez le partenaire.")
    orientation = Orientation(
        person_id=person_id,
        partner=ws.reference.canonical("partners", typed),
        on=_on(on, today),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, orientation)[0]


def add_outcome(
    ws: Any,
    person_id: str,
    outcome: OutcomeKind | str,
    *,
    on: date | str | None = None,
    notes: str = "",
    today: date | None = None,
) -> Outcome:
    get_person(ws, person_id)
    record = Outcome(
        person_id=person_id,
        outcome=OutcomeKind(outcome),
        on=_on(on, today),
        notes=text.clean_text(notes, text.MAX_TEXT, multiline=True),
    )
    return _saved(ws, record)[0]


# --- reading ----------------------------------------------------------------------------


def _linked(ws: Any, kind: str, person_id: str) -> list[dict[str, Any]]:
    return [doc for doc in ws.repo.docs(kind) if doc.get("person_id") == person_id]


def current_stage(ws: Any, person_id: str) -> Stage | None:
    """The furthest stage reached (None if no stage recorded)."""
    stages = {doc.get("stage") for doc in _linked(ws, "stage", person_id)}
    reached = [s for s in STAGE_ORDER if s.value in stages]
    return reached[-1] if reached else None


@dataclass(frozen=True)
class TimelineRow:
    """One dated line of a person's file."""

    on: date
    kind: str  # record kind: interview, stage, orientation, outcome, task
    label: str  # French: "Entretien", "Étape", ...
    detail: str  # French, may hold user text (never markup)
    record_id: str
    time: str = ""
    written: str = ""  # when the record was created (ISO): orders a day's lines


def _written(doc: dict[str, Any]) -> str:
    return str(doc.get("meta", {}).get("created_at", ""))


def timeline(ws: Any, person_id: str) -> list[TimelineRow]:
    """Everything dated about a person, newest first."""
    rows: list[TimelineRow] = []
    for doc in _linked(ws, "interview", person_id):
        i = Interview.model_validate(doc)
        where = " · ".join(p for p in (CHANNEL_LABELS[i.channel], i.site, i.staff) if p)
        detail = where + (f" — {i.notes}" if i.notes else "")
        rows.append(TimelineRow(i.on, "interview", "Entretien", detail, i.id, "", _written(doc)))
    for doc in _linked(ws, "stage", person_id):
        s = StageEvent.model_validate(doc)
        detail = STAGE_LABELS[s.stage] + (f" — {s.notes}" if s.notes else "")
        rows.append(TimelineRow(s.on, "stage", "Étape", detail, s.id, "", _written(doc)))
    for doc in _linked(ws, "orientation", person_id):
        o = Orientation.model_validate(doc)
        met = {True: " (rencontré)", False: " (non rencontré)", None: ""}[o.met]
        detail = o.partner + met + (f" — {o.notes}" if o.notes else "")
        rows.append(
            TimelineRow(o.on, "orientation", "Orientation", detail, o.id, "", _written(doc))
        )
    for doc in _linked(ws, "outcome", person_id):
        r = Outcome.model_validate(doc)
        detail = OUTCOME_LABELS[r.outcome] + (f" — {r.notes}" if r.notes else "")
        rows.append(TimelineRow(r.on, "outcome", "Issue", detail, r.id, "", _written(doc)))
    for doc in _linked(ws, "task", person_id):
        t = FollowUpTask.model_validate(doc)
        state = "fait" if t.status is TaskStatus.DONE else "à faire"
        title = t.title or TASK_KIND_LABELS[t.task_kind]
        detail = f"{TASK_KIND_LABELS[t.task_kind]} : {title} ({state})"
        if t.time:
            detail = f"{t.time} {detail}"
        label = "Rendez-vous" if t.time or t.task_kind.value == "appointment" else "Tâche"
        rows.append(TimelineRow(t.due, "task", label, detail, t.id, t.time or "", _written(doc)))
    order = {"outcome": 0, "orientation": 1, "stage": 2, "interview": 3, "task": 4}
    rows.sort(key=lambda r: (r.on, r.time, r.written, -order[r.kind]), reverse=True)
    return rows


def approach_label(person: Person) -> str:
    return APPROACH_LABELS[person.approach]
