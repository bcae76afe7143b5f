"""Possible duplicates (domain/identity.py), reviewed at the office: merged into one
person, or marked different. Never merged automatically."""

from __future__ import annotations

from dataclasses import dataclass

from citeslab_tui.domain import identity
from citeslab_tui.domain import merge as merging
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import PERSON_LINKED_KINDS, RECORD_TYPES, Person
from citeslab_tui.domain.records import content_of
from citeslab_tui.domain.text import format_date, format_phone
from citeslab_tui.services.sync.common import copy
from citeslab_tui.store.repository import Repository


@dataclass
class DuplicatePair:
    a: str
    b: str
    reasons: list[str]
    label_a: str
    label_b: str


def _different(repo: Repository) -> set[frozenset[str]]:
    return {frozenset(p) for p in repo.local_state("sync_different", []) or []}


def list_duplicate_pairs(repo: Repository) -> list[tuple[str, str, list[str]]]:
    return identity.possible_duplicates(repo.docs("person"), _different(repo))


def _person_label(repo: Repository, person_id: str) -> str:
    doc = repo.doc("person", person_id)
    if doc is None:
        return "?"
    person = Person.model_validate(doc)
    bits = [person.display_name]
    if person.birth_date:
        bits.append(f"né(e) le {format_date(person.birth_date)}")
    if person.phone:
        bits.append(format_phone(person.phone))
    if person.email:
        bits.append(person.email)
    site = person.first_site or (doc.get("meta") or {}).get("created_device", "")
    if site:
        bits.append(f"({site})")
    return ", ".join(bits)


def list_duplicates(repo: Repository) -> list[DuplicatePair]:
    return [
        DuplicatePair(a, b, reasons, _person_label(repo, a), _person_label(repo, b))
        for a, b, reasons in list_duplicate_pairs(repo)
    ]


def mark_different(repo: Repository, a: str, b: str) -> None:
    pairs = [list(p) for p in repo.local_state("sync_different", []) or []]
    pair = sorted((a, b))
    if pair not in pairs:
        pairs.append(pair)
    repo.put_docs([], local={"sync_different": pairs})


def merge_persons(repo: Repository, keep_id: str, other_id: str) -> int:
    """Merge a duplicate into the kept person: linked records re-pointed (history of
    both kept), the kept person's blanks filled, the other one a tombstone pointing
    to the kept one (`meta.merged_into`). Returns the number of records moved."""
    if keep_id == other_id:
        raise CitesLabError("Choisissez deux personnes différentes.")
    keep, other = repo.get(Person, keep_id), repo.get(Person, other_id)
    if keep is None or other is None:
        raise CitesLabError("Personne introuvable (déjà fusionnée ou supprimée ?).")
    keep_doc = repo.doc("person", keep_id)
    other_doc = repo.doc("person", other_id)
    assert keep_doc is not None and other_doc is not None
    moved = []
    kinds = [kind for kind in PERSON_LINKED_KINDS if kind in RECORD_TYPES]
    for kind, doc in repo.person_docs(other_id, kinds=kinds):
        moved.append(RECORD_TYPES[kind].model_validate({**doc, "person_id": keep_id}))
    filled = Person.model_validate(
        {**merging.merged_person_content(keep_doc, other_doc), "id": keep_id}
    )
    with repo.transaction():
        if moved:
            repo.save(*moved)
        if filled.content() != content_of(keep_doc):
            repo.save(filled)
        repo.delete(other)
        tomb = copy(repo.doc("person", other_id))
        tomb["meta"]["merged_into"] = keep_id
        repo.put_docs([("person", tomb)])
    return len(moved)
