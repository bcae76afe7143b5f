"""What the search index holds of a person: folded words (names, the local part of the
e-mail, phone numbers as "#0612345678"), and what a result line shows (`Hit`); how a
typed query becomes words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from citeslab_tui.domain import text

# Rank of a hit for one typed word (lower is better).
EXACT, PREFIX, INSIDE, TYPO = 0, 1, 2, 3

PHONE_MARK = "#"  # phone numbers are words "#0612345678" and "#33612345678"
MIN_PHONE_DIGITS = 4  # fewer digits match too many phones to mean anything


@dataclass(frozen=True)
class Hit:
    """One person found: what a result line shows (no other personal data)."""

    person_id: str
    name: str  # display name, e.g. "DIALLO Aïcha"
    birth_year: int | None
    commune: str
    phone: str  # shown as 06 12 34 56 78
    rank: int = 0

    def summary(self) -> str:
        parts = [self.name]
        parts.append(str(self.birth_year) if self.birth_year else "—")
        parts.append(self.commune or "—")
        if self.phone:
            parts.append(self.phone)
        return " · ".join(parts)


@dataclass(frozen=True)
class Duplicate:
    """A person already known who may be the one being typed in the intake."""

    hit: Hit
    reasons: tuple[str, ...]  # French, e.g. ("même téléphone",)

    @property
    def person_id(self) -> str:
        return self.hit.person_id


@dataclass(slots=True)
class Entry:
    person_id: str
    shown_family: str  # usage name, else family name
    first_name: str
    sort_key: str
    birth_year: int | None
    birth_date: str | None
    commune: str
    phone: str | None  # E.164
    family: str  # folded
    usage: str
    first: str
    words: tuple[str, ...]


# names repeat a lot: fold each spelling once
_fold = lru_cache(maxsize=1 << 16)(text.fold)


def phone_words(e164: str | None) -> list[str]:
    if not e164:
        return []
    digits = e164.lstrip("+")
    words = [PHONE_MARK + digits]
    if e164.startswith("+33") and len(e164) == 12:
        words.append(PHONE_MARK + "0" + e164[3:])
    return words


_NOT_ALNUM = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def fold_email(local: str) -> str:
    """Fold an e-mail's local part (unique per person: no cache; ASCII fast path)."""
    if local.isascii():
        return local.lower().translate(_NOT_ALNUM)
    return text.fold(local)


def entry_of(doc: dict[str, Any]) -> Entry | None:
    if doc.get("meta", {}).get("deleted") or doc.get("erased_at"):
        return None
    family = doc.get("family_name") or ""
    usage = doc.get("usage_name") or ""
    first = doc.get("first_name") or ""
    f_family, f_usage, f_first = _fold(family), _fold(usage), _fold(first)
    words = f_family.split()
    if f_usage:
        words += f_usage.split()
    words += f_first.split()
    email = doc.get("email")
    if email:
        words += fold_email(email.partition("@")[0]).split()
    phone = doc.get("phone")
    if phone:
        words += phone_words(phone)
    birth_date = doc.get("birth_date")
    birth_year = doc.get("birth_year")
    if birth_year is None and birth_date:
        birth_year = int(str(birth_date)[:4])
    return Entry(
        person_id=doc["id"],
        shown_family=usage or family,
        first_name=first,
        sort_key=f"{f_usage or f_family} {f_first}",
        birth_year=birth_year,
        birth_date=str(birth_date) if birth_date else None,
        commune=doc.get("commune") or "",
        phone=phone,
        family=f_family,
        usage=f_usage,
        first=f_first,
        words=tuple(dict.fromkeys(words)),
    )


def is_name(word: str) -> bool:
    return word[0] != PHONE_MARK and not word.isdigit()


def query_words(query: str) -> list[str]:
    """Folded words; a query that is a phone number (digits, spaces, dots, +) is one word."""
    raw = query.strip()
    compact = "".join(ch for ch in raw if ch not in " .-/()+")
    if compact.isdigit() and compact:
        return [compact[2:] if compact.startswith("0033") else compact]
    return list(dict.fromkeys(text.fold(raw).split()))
