"""Reproducible, realistic demo data: `citeslab demo --people N [--seed S]`.

People at every stage over ten activity years, interviews, stage events,
orientations, outcomes, follow-up tasks (some appointments today), today's
queue and collective actions. For newcomers and for the benchmarks.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta

from citeslab_tui.domain.models import (
    Approach,
    Channel,
    Civility,
    CollectiveAction,
    CollectiveKind,
    FollowUpTask,
    Interview,
    Orientation,
    Outcome,
    OutcomeKind,
    Person,
    QueueEntry,
    QueueReason,
    Record,
    Stage,
    StageEvent,
    TaskKind,
)
from citeslab_tui.services.workspace import Workspace

FEMALE = "Aïcha Amina Fatou Mariam Aïssata Sarah Léa Chloé Nadia Samira Inès Camille Manon Julie Fatima Khadija Awa Emma Zoé Yasmine Hélène Céline Sophie Nathalie Élodie Kenza Salma Océane Maëlle Rokia".split()
MALE = "Mohamed Karim Mamadou Youssef Ibrahima Thomas Lucas Hugo Nicolas Julien Sofiane Bilal Moussa Antoine Mathieu Rachid Omar Kévin Jérôme Stéphane Amadou Issa Théo Noé Mehdi Adrien François Loïc Gaël Sébastien".split()
FAMILY = "Diallo Martin Bernard Traoré Camara Dubois Lefèvre Moreau Benali Koné Haddad Laurent Girard Mercier Bouvier Cissé Fofana Lemaire Leroy Roux Fournier Morel Guérin Chevalier Mendy Sow Ndiaye Benamar Lecomte Hébert Duval Marie Lebrun Gautier Perrin Barbier Renaud Collet Sylla Touré".split()
IDEAS = [
    "Salon de coiffure afro",
    "Food truck de cuisine du monde",
    "Entreprise de nettoyage",
    "Atelier de couture et retouches",
    "Transport de personnes (VTC)",
    "Épicerie de quartier",
    "Auto-école associative",
    "Services à domicile pour personnes âgées",
    "Boutique de vêtements en ligne",
    "Petits travaux de rénovation",
    "Traiteur pour événements",
    "Photographe indépendant",
    "Garde d'enfants à domicile",
    "Réparation de téléphones",
]
PARTNERS = [
    "Adie",
    "France Travail",
    "CCI (Caen Normandie) — guichet « Ici je monte ma boîte »",
    "CMA Normandie — « Ici je monte ma boîte »",
    "Plateforme Initiative locale (prêt d'honneur)",
    "Mission locale (pôle de Caen)",
]
COMMUNES = [("14118", "Caen"), ("14327", "Hérouville-Saint-Clair"), ("14167", "Colombelles")]


def generate(
    ws: Workspace, people: int, seed: int = 1, today: date | None = None, batch: int = 5000
) -> dict[str, int]:
    """Add demo records to an open workspace; returns counts per kind.

    The same seed (and `today`) gives the same records, ids included.
    """
    rng = random.Random(seed)
    ids = random.Random(f"ids-{seed}")  # separate stream: ids do not shift the data
    today = today or date.today()
    sites = ws.site_names()
    places = ws.reference.places
    qpv_cache: dict[tuple[str, str | None], list[str]] = {}

    def qpvs(insee: str, on: date) -> list[str]:
        """The QPV of the commune on the map in force on the first contact."""
        qpv_map = places.map_on(on)
        key = (insee, qpv_map.id if qpv_map else None)
        if key not in qpv_cache:
            qpv_cache[key] = [q.key for q in places.qpv_choices(insee, on)] + ["hors QPV", ""]
        return qpv_cache[key]

    sectors = ws.reference.names("sectors")
    situations = ws.reference.names("situations")
    levels = ws.reference.names("training_levels")
    sources = ws.reference.names("sources")
    staff = ws.settings.staff or ["Céline"]
    counts: dict[str, int] = {}
    pending: list[Record] = []

    def add(record: Record) -> None:
        record.id = uuid.UUID(int=ids.getrandbits(128), version=4).hex
        pending.append(record)
        counts[record.kind] = counts.get(record.kind, 0) + 1
        if len(pending) >= batch:
            flush()

    def flush() -> None:
        if pending:
            ws.repo.save(*pending, returning=False)
            pending.clear()

    start = today - timedelta(days=3650)
    for n in range(people):
        female = rng.random() < 0.56
        civility = Civility.MADAME if female else Civility.MONSIEUR
        if rng.random() < 0.03:
            civility = Civility.UNSPECIFIED
        first = rng.choice(FEMALE if female else MALE)
        insee, commune = rng.choice(COMMUNES)
        first_contact = start + timedelta(days=rng.randrange(3650))
        site = rng.choice(sites)
        birth = date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28))
        person = Person(
            civility=civility,
            family_name=rng.choice(FAMILY),
            first_name=first,
            birth_date=birth if rng.random() < 0.8 else None,
            birth_year=birth.year,
            phone=f"+336{rng.randrange(10**8):08d}" if rng.random() < 0.9 else None,
            email=f"{first.lower()}.{n}@exemple.fr" if rng.random() < 0.5 else None,
            commune_insee=insee,
            commune=commune,
            qpv=rng.choice(qpvs(insee, first_contact)),
            qpv_checked=rng.random() < 0.7,
            situation=rng.choice(situations),
            training_level=rng.choice(levels),
            project_idea=rng.choice(IDEAS),
            sector=rng.choice(sectors),
            approach=Approach.INDIVIDUAL
            if rng.random() < 0.9375
            else rng.choice([Approach.COLLECTIVE, Approach.UNKNOWN]),
            heard_from=rng.choice(sources),
            first_site=site,
            notice_given_on=first_contact,
        )
        add(person)
        add(StageEvent(person_id=person.id, stage=Stage.SENSITIZED, on=first_contact, site=site))
        day = first_contact
        interviews = rng.choice([1, 1, 2, 2, 3])
        for _ in range(interviews):
            add(
                Interview(
                    person_id=person.id,
                    on=min(day, today),
                    site=site,
                    staff=rng.choice(staff),
                    channel=rng.choice(list(Channel)),
                    notes="Point sur le projet et les démarches.",
                )
            )
            day += timedelta(days=rng.randint(7, 60))
        roll = rng.random()
        if roll < 0.56:
            detected = min(first_contact + timedelta(days=rng.randint(0, 60)), today)
            add(StageEvent(person_id=person.id, stage=Stage.DETECTED, on=detected, site=site))
            if roll < 0.16:
                emergence = min(detected + timedelta(days=rng.randint(15, 120)), today)
                add(StageEvent(person_id=person.id, stage=Stage.EMERGENCE, on=emergence, site=site))
            if rng.random() < 0.5:
                add(
                    Orientation(
                        person_id=person.id,
                        partner=rng.choice(PARTNERS),
                        on=min(detected + timedelta(days=rng.randint(0, 30)), today),
                        met=rng.choice([True, None]),
                    )
                )
        if roll < 0.30:
            outcome = rng.choices(list(OutcomeKind), weights=[24, 20, 18, 25, 13])[0]
            add(
                Outcome(
                    person_id=person.id,
                    outcome=outcome,
                    on=min(day + timedelta(days=rng.randint(30, 200)), today),
                )
            )
        for _ in range(2):
            due = today + timedelta(days=rng.randint(-30, 40))
            kind = rng.choice(list(TaskKind))
            appointment = kind is TaskKind.APPOINTMENT
            add(
                FollowUpTask(
                    person_id=person.id,
                    task_kind=kind,
                    title={
                        TaskKind.CALL: "Rappeler pour faire le point",
                        TaskKind.DOCUMENT: "Envoyer la liste des formations",
                        TaskKind.APPOINTMENT: "Point d'étape sur le projet",
                        TaskKind.CHECK_ORIENTATION: "Vérifier le rendez-vous avec le partenaire",
                        TaskKind.OTHER: "Préparer le dossier",
                    }[kind],
                    due=due,
                    time=f"{rng.randint(9, 16)}:{rng.choice(['00', '30'])}"
                    if appointment
                    else None,
                    site=site if appointment else "",
                    assigned_to=rng.choice(staff),
                    status="done" if due < today and rng.random() < 0.7 else "open",
                    done_on=due if due < today else None,
                )
            )
    # today's queue at the last site: a few arrivals, one being seen
    queue_site = ws.settings.last_site or sites[0]
    if today == date.today():  # arrivals of the last half hour, so waiting times make sense
        now = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=25)
    else:
        now = datetime.combine(today, time(14, 0)).astimezone(UTC)
    for i, name in enumerate(["Yasmine", "Karim", "Fatou"]):
        add(
            QueueEntry(
                day=today,
                site=queue_site,
                arrived_at=now + timedelta(minutes=7 * i),
                display_name=name,
                reason=list(QueueReason)[i % 3],
                position=float(i),
            )
        )
    for year in range(10):
        held = start + timedelta(days=365 * year + rng.randint(0, 300))
        for action_kind in CollectiveKind:
            add(
                CollectiveAction(
                    action_kind=action_kind,
                    on=held,
                    site=rng.choice(sites),
                    title=f"{action_kind.value} {held.year}",
                    women=rng.randint(3, 20),
                    men=rng.randint(2, 15),
                    unknown=rng.randint(0, 3),
                )
            )
    flush()
    ws.repo.checkpoint()
    return counts
