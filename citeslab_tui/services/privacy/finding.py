"""Finding a person for a privacy request (by id, id prefix, name, phone or e-mail) and
everything held on them: the duplicates merged into them and their linked records.

Nothing here logs personal data; the list of matching people a staff member asked for
(an ambiguous search) is shown, never logged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from citeslab_tui.domain import text
from citeslab_tui.domain.errors import CitesLabError, ValidationError
from citeslab_tui.domain.models import PERSON_LINKED_KINDS, Gender, Person
from citeslab_tui.services.workspace import Workspace

MAX_LISTED = 20
_HEX_ID = re.compile(r"^[0-9a-f]{6,32}$")


class PersonNotFound(CitesLabError):
    """No person matches an id or a search."""


class AmbiguousPerson(CitesLabError):
    """A search matches several people; `matches` lists them (never logged)."""

    def __init__(self, message: str, matches: list[Person]) -> None:
        super().__init__(message)
        self.matches = matches


def describe_person(person: Person) -> str:
    """One line to tell people apart: display name · birth year · commune · id."""
    year = person.birth_year or (person.birth_date.year if person.birth_date else None)
    born = {Gender.F: "née", Gender.M: "né"}.get(person.gender, "né(e)")
    parts = [
        person.display_name,
        f"{born} en {year}" if year else "année de naissance inconnue",
        person.commune or "commune inconnue",
        f"identifiant {person.id}",
    ]
    return " · ".join(parts)


def find_people(ws: Workspace, query: str) -> list[Person]:
    """People matching an id (full, or a prefix of 6+ hex digits) or a search.

    A search matches names, phone and e-mail (accents and case ignored; every word
    must appear). Erased and deleted people are found by id only.
    """
    raw = text.clean_text(query or "", 200)
    if not raw:
        raise ValidationError("Indiquez l'identifiant ou le nom de la personne.")
    wanted = raw.lower()
    doc = ws.repo.doc("person", wanted)
    if doc is not None:
        return [Person.model_validate(doc)]
    if _HEX_ID.match(wanted):
        found = [
            Person.model_validate(d)
            for d in ws.repo.docs("person", include_deleted=True)
            if d["id"].startswith(wanted)
        ]
        if found:
            return found
    words = text.fold(raw).split()
    phone = None
    try:
        phone = text.parse_phone(raw)
    except ValidationError:
        pass
    result = []
    for d in ws.repo.docs("person"):
        if d.get("erased_at") or d.get("meta", {}).get("erased"):
            continue
        person = Person.model_validate(d)
        haystack = person.search_text()
        if (phone and person.phone == phone) or all(w in haystack for w in words):
            result.append(person)
    result.sort(key=lambda p: (text.fold(p.display_name), p.id))
    return result


def resolve_person(ws: Workspace, query: str) -> Person:
    """Exactly one person for `query`, else PersonNotFound / AmbiguousPerson (French)."""
    found = find_people(ws, query)
    if not found:
        wanted = query.strip().lower()
        if _HEX_ID.match(wanted):
            raise PersonNotFound(f"Aucune personne n'a l'identifiant {wanted}.")
        raise PersonNotFound(
            "Aucune personne ne correspond à cette recherche (identifiant, nom, téléphone "
            "ou e-mail)."
        )
    if len(found) > 1:
        lines = [f"  - {describe_person(p)}" for p in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            lines.append(f"  … et {len(found) - MAX_LISTED} autres.")
        raise AmbiguousPerson(
            f"{len(found)} personnes correspondent ; rien n'a été fait. "
            "Précisez avec l'identifiant :\n" + "\n".join(lines),
            found,
        )
    return found[0]


def person_doc(ws: Workspace, person_id: str) -> dict[str, Any]:
    doc = ws.repo.doc("person", person_id)
    if doc is None:
        raise PersonNotFound(f"Aucune personne n'a l'identifiant {person_id[:32]}.")
    return doc


def merged_children(ws: Workspace) -> dict[str, list[str]]:
    """{person id: ids of duplicates merged into it} (merge tombstones keep their data)."""
    children: dict[str, list[str]] = {}
    for doc in ws.repo.docs("person", include_deleted=True):
        target = doc.get("meta", {}).get("merged_into")
        if target:
            children.setdefault(target, []).append(doc["id"])
    return children


def family_ids(
    ws: Workspace, person_id: str, children: dict[str, list[str]] | None = None
) -> list[str]:
    """The person, then every duplicate merged into them (directly or by a chain)."""
    children = merged_children(ws) if children is None else children
    result: list[str] = []
    todo = [person_id]
    while todo:
        pid = todo.pop(0)
        if pid not in result:
            result.append(pid)
            todo += children.get(pid, [])
    return result


def linked_docs(ws: Workspace, person_ids: Iterable[str]) -> dict[str, list[tuple[str, dict]]]:
    """{person id: [(kind, doc), ...]} of every linked record, deleted ones included."""
    kinds = list(PERSON_LINKED_KINDS)
    order = {kind: i for i, kind in enumerate(kinds)}
    result: dict[str, list[tuple[str, dict]]] = {}
    for pid in dict.fromkeys(person_ids):
        found = ws.repo.person_docs(pid, include_deleted=True, kinds=kinds)
        result[pid] = sorted(found, key=lambda item: order[item[0]])  # kind by kind, as before
    return result
