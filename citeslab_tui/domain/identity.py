"""When two records are the same person: every rule, in one place. Pure.

Three strengths, for three moments, built on the same reading of a name (accents,
case and punctuation ignored: `text.fold`):

1. **Sure enough to act** (`same_person_keys`, `legacy_key`): the register import
   joins the rows of a file, and a row with a person already known, when they share
   a key: the same family and first names with the same birth date, or the same phone
   number. `legacy_key` is the key of the person a register row describes, kept on
   the person so that importing the same file again finds them.
2. **Worth a look, never merged by itself** (`duplicate_keys`, `possible_duplicates`):
   after a sync the office reviews people created on different laptops who share a
   key: the same names (the usage name when there is one) and birth date, the same
   phone, the same e-mail. A key shared by more than `MAX_SHARED` people (an office
   phone) says nothing.
3. **Maybe, while typing** (`intake_match`): the intake shows people already known
   with the same phone, names at least `NAME_CLOSE` % alike (family and first name
   both), or the same birth date with a name at least `BIRTH_NAME_CLOSE` % alike; the
   points rank them. The similarity (`ratio`, 0-100) is given by the caller
   (rapidfuzz in services/search/index.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from citeslab_tui.domain import text

MAX_SHARED = 20  # a key shared by more people is not a person's (an office phone)
NAME_CLOSE = 80  # % of likeness of the family and the first name: "nom proche"
BIRTH_NAME_CLOSE = 70  # % of likeness of either name with the same birth date
PHONE_POINTS = 300
BIRTH_POINTS = 150

# names repeat a lot (a register of 10,000 rows): fold each spelling once
_fold = lru_cache(maxsize=8192)(text.fold)


def _iso(day: date | str | None) -> str:
    if isinstance(day, date):
        return day.isoformat()
    return day or ""


# --- 1. sure enough to act: the register import ------------------------------------------


def name_key(family: str, first: str) -> str:
    """The names of a person as the rules compare them: "diallo|aicha"."""
    return f"{_fold(family or '')}|{_fold(first or '')}"


def same_person_keys(
    family: str, first: str, birth_date: date | str | None, phone: str | None
) -> list[str]:
    """Keys under which two register rows, or a row and a person already known, are the
    same person: names and birth date, phone (E.164)."""
    keys = []
    if birth_date:
        keys.append(f"nb:{name_key(family, first)}|{_iso(birth_date)}")
    if phone:
        keys.append(f"ph:{phone}")
    return keys


def legacy_key(
    family: str,
    first: str,
    birth_date: date | None,
    phone: str | None,
    dates: Iterable[date | None] = (),
) -> str:
    """Stable key of the person a register row describes (idempotent re-import): names
    and birth date when known (the same person written with and without a phone gets one
    key), else names and phone, else names and the row's dates (homonyms)."""
    parts = [name_key(family, first)]
    if birth_date:
        parts.append(birth_date.isoformat())
    elif phone:
        parts += ["", phone]
    else:
        parts += [_iso(d) for d in dates]
    return "reg:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


# --- 2. worth a look: possible duplicates after a sync -------------------------------------


def duplicate_keys(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """Keys that make two persons a possible duplicate: (reason in French, key)."""
    keys: list[tuple[str, str]] = []
    family = text.fold(str(doc.get("usage_name") or doc.get("family_name") or ""))
    first = text.fold(str(doc.get("first_name") or ""))
    birth = doc.get("birth_date")
    if family and first and birth:
        keys.append(("nom et date de naissance", f"{family}|{first}|{birth}"))
    if doc.get("phone"):
        keys.append(("téléphone", str(doc["phone"])))
    if doc.get("email"):
        keys.append(("e-mail", str(doc["email"]).strip().lower()))
    return keys


def possible_duplicates(
    persons: Iterable[dict[str, Any]], different: set[frozenset[str]] | None = None
) -> list[tuple[str, str, list[str]]]:
    """Pairs (id_a, id_b, reasons) of live persons created on different devices
    sharing a key, minus the pairs marked different. Sorted, deterministic."""
    different = different or set()
    index: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for doc in persons:
        meta = doc.get("meta") or {}
        if meta.get("deleted") or meta.get("erased") or doc.get("erased_at"):
            continue
        for reason, key in duplicate_keys(doc):
            index.setdefault((reason, key), []).append(doc)
    pairs: dict[tuple[str, str], list[str]] = {}
    for (reason, _key), docs in index.items():
        if len(docs) < 2 or len(docs) > MAX_SHARED:
            continue
        for i, x in enumerate(docs):
            for y in docs[i + 1 :]:
                dev_x = (x.get("meta") or {}).get("created_device")
                dev_y = (y.get("meta") or {}).get("created_device")
                if dev_x == dev_y:
                    continue
                a, b = sorted((x["id"], y["id"]))
                if frozenset((a, b)) in different:
                    continue
                reasons = pairs.setdefault((a, b), [])
                if reason not in reasons:
                    reasons.append(reason)
    return [(a, b, sorted(r)) for (a, b), r in sorted(pairs.items())]


# --- 3. maybe: the intake, while typing ---------------------------------------------------


class KnownPerson(Protocol):
    """A person already known, as the intake compares them (names folded)."""

    family: str
    usage: str
    first: str
    phone: str | None  # E.164
    birth_date: str | None  # ISO


Ratio = Callable[[str, str], float]  # likeness of two folded texts, 0 to 100


def intake_match(
    family: str,
    first: str,
    phone: str | None,
    birth_date: str | None,
    known: KnownPerson,
    ratio: Ratio,
) -> list[tuple[str, float]]:
    """Why a person already known may be the one being typed: [(French reason, points)]
    (nothing: not the same). `family`, `first` folded, `phone` E.164, `birth_date` ISO."""
    found: list[tuple[str, float]] = []
    if phone and known.phone == phone:
        found.append(("même téléphone", PHONE_POINTS))
    family_score = max(ratio(family, known.family), ratio(family, known.usage)) if family else 0
    first_score = ratio(first, known.first) if first and known.first else 0
    if family and first and family_score >= NAME_CLOSE and first_score >= NAME_CLOSE:
        same = family_score == 100 and first_score == 100
        found.append(("même nom" if same else "nom proche", family_score + first_score))
    if birth_date and known.birth_date == birth_date:
        close = max(family_score, first_score)
        if close >= BIRTH_NAME_CLOSE:
            found.append(("même date de naissance", BIRTH_POINTS + close))
    return found
