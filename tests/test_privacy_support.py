"""Shared builders for the privacy tests (no tests here)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from citeslab_tui.domain.models import (
    Approach,
    Civility,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    QueueEntry,
    Record,
    Stage,
    StageEvent,
    TaskStatus,
)
from citeslab_tui.services.workspace import Workspace


def build_file(
    ws: Workspace,
    *,
    family: str = "Diallo",
    first: str = "Fatou",
    phone: str = "+33612345678",
    email: str = "fatou.diallo@exemple.fr",
    civility: Civility = Civility.MADAME,
    start: date = date(2024, 9, 10),
) -> tuple[Person, list[Record]]:
    """A person with one record of every linked kind, saved in one durable save."""
    person = Person(
        civility=civility,
        family_name=family,
        usage_name=f"{family}-Martin",
        first_name=first,
        birth_year=1985,
        birth_date=date(1985, 3, 4),
        phone=phone,
        email=email,
        commune_insee="14118",
        commune="Caen",
        qpv="Chemin Vert",
        qpv_checked=True,
        situation="Demandeur d'emploi",
        project_idea=f"Salon de coiffure de {first}",
        approach=Approach.INDIVIDUAL,
        first_site="Caen – Chemin Vert",
        next_step=f"Rappeler {first} au {phone}",
        notice_given_on=start,
        notes=f"{first} {family} vient le mardi, joignable au {phone}",
    )
    pid = person.id
    records: list[Record] = [
        Interview(
            person_id=pid,
            on=start,
            site="Caen – Chemin Vert",
            staff="Céline Perriot",
            notes=f"Premier entretien avec {first}",
        ),
        StageEvent(person_id=pid, stage=Stage.SENSITIZED, on=start, notes=f"{family} sensibilisée"),
        StageEvent(person_id=pid, stage=Stage.DETECTED, on=start + timedelta(days=20)),
        Orientation(
            person_id=pid,
            partner="Adie",
            on=start + timedelta(days=30),
            met=True,
            notes=f"{first} a rencontré l'Adie",
        ),
        Outcome(
            person_id=pid,
            outcome=OutcomeKind.CREATION,
            on=start + timedelta(days=90),
            notes=f"Salon ouvert par {family}",
        ),
        FollowUpTask(
            person_id=pid,
            title=f"Rappeler {first} {family}",
            due=start + timedelta(days=5),
            status=TaskStatus.DONE,
            done_on=start + timedelta(days=6),
            notes=email,
        ),
        QueueEntry(
            day=start,
            site="Caen – Chemin Vert",
            person_id=pid,
            display_name=first,
            arrived_at=datetime.combine(start, datetime.min.time(), UTC),
        ),
    ]
    ws.repo.save(person, *records)
    return person, records


def stats(ws: Workspace) -> Counter:
    """What the bilan counts, computed directly: events by kind, date, stage/outcome,
    and the person's gender, commune, QPV and approach."""
    people = {d["id"]: Person.model_validate(d) for d in ws.repo.docs("person")}
    counts: Counter = Counter()
    for person in people.values():
        counts[
            (
                "person",
                person.gender,
                person.commune,
                person.qpv,
                person.approach,
                person.first_site,
            )
        ] += 1
    for kind, key in (
        ("interview", "on"),
        ("stage", "stage"),
        ("orientation", "partner"),
        ("outcome", "outcome"),
        ("task", "status"),
        ("queue", "status"),
    ):
        for doc in ws.repo.docs(kind):
            person = people.get(doc.get("person_id"))
            gender = person.gender if person else None
            when = doc.get("on") or doc.get("due") or doc.get("day")
            counts[(kind, when, doc.get(key), gender, person.commune if person else None)] += 1
    return counts
