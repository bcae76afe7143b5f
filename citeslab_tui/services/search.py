"""Find a person: an in-memory index over names, phones and e-mails (Ctrl+F, intake).

Built once from the repository's person documents (raw dicts, no validation:
10,000 people in a few tens of milliseconds), then kept current: people saved
through `services.people` are upserted at once, and anything else written to
the repository (sync merge, erasure, demo) is picked up at the next query by
comparing the repository's local sequence number (`Repository.lseq`).

Matching is accent-, case- and punctuation-insensitive (`text.fold`). For each
word typed, hits are ranked: whole word > word prefix > inside a word (phones,
e-mails) > typo (Levenshtein distance 1, or 2 for long words, rapidfuzz, imported
on first use). Every typed word must match; the best total comes first, then
the name in alphabetical order.
"""

from __future__ import annotations

import bisect
import heapq
import threading
import weakref
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from citeslab_tui.domain import identity, text

# Rank of a hit for one typed word (lower is better).
EXACT, PREFIX, INSIDE, TYPO = 0, 1, 2, 3
DEFAULT_LIMIT = 20
PHONE_MARK = "#"  # phone numbers are words "#0612345678" and "#33612345678"
MIN_PHONE_DIGITS = 4  # fewer digits match too many phones to mean anything
SINGLE_WORD_CAP = 2000  # candidates ranked for a one-word query (a letter or two typed)


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
class _Entry:
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


def _phone_words(e164: str | None) -> list[str]:
    if not e164:
        return []
    digits = e164.lstrip("+")
    words = [PHONE_MARK + digits]
    if e164.startswith("+33") and len(e164) == 12:
        words.append(PHONE_MARK + "0" + e164[3:])
    return words


_NOT_ALNUM = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})


def _fold_email(local: str) -> str:
    """Fold an e-mail's local part (unique per person: no cache; ASCII fast path)."""
    if local.isascii():
        return local.lower().translate(_NOT_ALNUM)
    return text.fold(local)


def _entry(doc: dict[str, Any]) -> _Entry | None:
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
        words += _fold_email(email.partition("@")[0]).split()
    phone = doc.get("phone")
    if phone:
        words += _phone_words(phone)
    birth_date = doc.get("birth_date")
    birth_year = doc.get("birth_year")
    if birth_year is None and birth_date:
        birth_year = int(str(birth_date)[:4])
    return _Entry(
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


class SearchIndex:
    """People by folded word. Use `index_for(repo)` to share one per repository."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._by_word: dict[str, set[str]] = {}
        self._vocab: list[str] = []  # sorted distinct words
        self._by_phone: dict[str, set[str]] = {}
        self._by_birth: dict[str, set[str]] = {}
        self._names: list[str] = []  # sorted distinct words with letters (typo search)
        self._cache: dict[Any, Any] = {}  # derived vocabularies, dropped on change
        self.lseq = -1

    # --- building and updating ----------------------------------------------------

    @classmethod
    def build(cls, repo: Any) -> SearchIndex:
        index = cls()
        index.lseq = repo.lseq  # read first: a save meanwhile is applied again later
        for doc in repo.docs("person"):  # the people as they are now (a worker thread may
            entry = _entry(doc)  # build this while the UI saves)
            if entry is not None:
                index._add(entry)
        index._vocab = sorted(index._by_word)
        index._names = [w for w in index._vocab if _is_name(w)]
        index._phone_blob()  # ready before the first keystroke
        return index

    def __len__(self) -> int:
        return len(self._entries)

    def _add(self, entry: _Entry, *, insort: bool = False) -> None:
        self._entries[entry.person_id] = entry
        for word in entry.words:
            ids = self._by_word.get(word)
            if ids is None:
                self._by_word[word] = {entry.person_id}
                if insort:
                    bisect.insort(self._vocab, word)
                    self._changed(word, added=True)
            else:
                ids.add(entry.person_id)
        if entry.phone:
            self._by_phone.setdefault(entry.phone, set()).add(entry.person_id)
        if entry.birth_date:
            self._by_birth.setdefault(entry.birth_date, set()).add(entry.person_id)

    def _changed(self, word: str, *, added: bool) -> None:
        """A distinct word appeared or disappeared: update the derived vocabularies."""
        if word[0] == PHONE_MARK:
            self._cache.pop(("blob",), None)
        elif _is_name(word):
            if added:
                bisect.insort(self._names, word)
            else:
                pos = bisect.bisect_left(self._names, word)
                if pos < len(self._names) and self._names[pos] == word:
                    del self._names[pos]
            for key in [k for k in self._cache if k[0] == "prefix"]:
                del self._cache[key]

    def remove(self, person_id: str) -> None:
        entry = self._entries.pop(person_id, None)
        if entry is None:
            return
        for word in entry.words:
            ids = self._by_word.get(word)
            if ids is not None:
                ids.discard(person_id)
                if not ids:
                    del self._by_word[word]
                    pos = bisect.bisect_left(self._vocab, word)
                    if pos < len(self._vocab) and self._vocab[pos] == word:
                        del self._vocab[pos]
                    self._changed(word, added=False)
        for table, key in ((self._by_phone, entry.phone), (self._by_birth, entry.birth_date)):
            if key and key in table:
                table[key].discard(person_id)
                if not table[key]:
                    del table[key]

    def upsert_doc(self, doc: dict[str, Any]) -> None:
        """Add or refresh one person document (a deleted or erased one is removed)."""
        self.remove(doc["id"])
        entry = _entry(doc)
        if entry is not None:
            self._add(entry, insort=True)

    def refresh(self, repo: Any) -> None:
        """Pick up person documents written since the index last looked (cheap if none)."""
        if repo.lseq == self.lseq:
            return
        since = self.lseq
        for doc in repo.docs("person", include_deleted=True):
            if doc.get("meta", {}).get("lseq", 0) > since:
                self.upsert_doc(doc)
        self.lseq = repo.lseq

    # --- querying -------------------------------------------------------------------

    def _hit(self, person_id: str, rank: int = 0) -> Hit:
        e = self._entries[person_id]
        name = " ".join(p for p in (e.shown_family.upper(), e.first_name) if p)
        return Hit(
            person_id=e.person_id,
            name=name or "(sans nom)",
            birth_year=e.birth_year,
            commune=e.commune,
            phone=text.format_phone(e.phone),
            rank=rank,
        )

    def _prefix_words(self, token: str) -> list[str]:
        lo = bisect.bisect_left(self._vocab, token)
        hi = bisect.bisect_left(self._vocab, token + "\U0010ffff")
        return self._vocab[lo:hi]

    def _words(self, kind: str) -> list[str]:
        """Distinct words of one kind: "name" (with letters) or "phone"."""
        return self._prefix_words(PHONE_MARK) if kind == "phone" else self._names

    def _phone_blob(self) -> tuple[str, list[int]]:
        """All phone words in one string (C-speed substring search) and their offsets."""
        key = ("blob",)
        if key not in self._cache:
            words = self._words("phone")
            offsets: list[int] = []
            position = 0
            for word in words:
                offsets.append(position)
                position += len(word) + 1
            self._cache[key] = ("\n".join(words), offsets)
        return self._cache[key]

    def _phones_containing(self, digits: str) -> list[str]:
        blob, offsets = self._phone_blob()
        words = self._words("phone")
        found: list[str] = []
        at = blob.find(digits)
        while at != -1:
            found.append(words[bisect.bisect_right(offsets, at) - 1])
            at = blob.find(digits, at + 1)
        return found

    def _prefixes(self, length: int) -> dict[str, list[str]]:
        """First `length` letters of the longer name words -> those words, cached."""
        key = ("prefix", length)
        if key not in self._cache:
            prefixes: dict[str, list[str]] = {}
            for word in self._words("name"):
                if len(word) > length:
                    prefixes.setdefault(word[:length], []).append(word)
            self._cache[key] = (prefixes, list(prefixes))
        return self._cache[key]

    def _typo_words(self, token: str) -> list[str]:
        """Name words within 1 edit (2 for 8+ letters), as a whole or as a prefix."""
        if len(token) < 3 or token.isdigit() or not self._vocab:
            return []
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        cutoff = 1 if len(token) < 8 else 2
        found = {
            word
            for word, _dist, _ in process.extract_iter(
                token, self._words("name"), scorer=OSA.distance, score_cutoff=cutoff
            )
        }
        # a typo in the first letters of a longer word being typed ("hlen" -> "helene")
        prefixes, keys = self._prefixes(len(token))
        for prefix, _dist, _ in process.extract_iter(
            token, keys, scorer=OSA.distance, score_cutoff=cutoff
        ):
            found.update(prefixes[prefix])
        return sorted(found)

    def _token_hits(self, token: str, limit: int, cap: int | None = None) -> dict[str, int]:
        """person_id -> best rank for one typed word (at most about `cap` people)."""
        hits: dict[str, int] = {}
        phone = token.isdigit() and len(token) >= MIN_PHONE_DIGITS
        words = self._prefix_words(token)
        if phone:
            words = self._prefix_words(PHONE_MARK + token) + words
        exact = {token, PHONE_MARK + token}
        # exact words first, then prefixes in alphabetical order
        words.sort(key=lambda w: w not in exact)
        for word in words:
            rank = EXACT if word in exact else PREFIX
            for pid in self._by_word[word]:
                if hits.get(pid, TYPO + 1) > rank:
                    hits[pid] = rank
            if cap is not None and len(hits) >= cap:
                return hits
        if len(hits) >= limit:
            return hits
        if phone:
            for word in self._phones_containing(token):
                for pid in self._by_word[word]:
                    hits.setdefault(pid, INSIDE)
        elif len(token) >= 3 and not token.isdigit():
            # inside a word: a compound name, an e-mail
            for word in self._words("name"):
                if token in word and not word.startswith(token):
                    for pid in self._by_word[word]:
                        hits.setdefault(pid, INSIDE)
            if len(hits) < limit:
                for word in self._typo_words(token):
                    for pid in self._by_word[word]:
                        hits.setdefault(pid, TYPO)
        return hits

    def _entry_rank(self, entry: _Entry, token: str, typos: set[str]) -> int | None:
        """Best rank of one person for one typed word (the filtering path)."""
        best: int | None = None
        phone = token.isdigit() and len(token) >= MIN_PHONE_DIGITS
        for word in entry.words:
            if word[0] == PHONE_MARK:
                if not phone:
                    continue
                word = word[1:]
            if word == token:
                return EXACT
            if word.startswith(token):
                best = PREFIX
            elif best is None or best > INSIDE:
                if len(token) >= 3 and token in word:
                    best = INSIDE
                elif word in typos:
                    best = TYPO
        return best

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
        """People matching every typed word, best first (at most `limit`)."""
        tokens = _tokens(query)
        if not tokens or not self._entries:
            return []
        tokens.sort(key=len, reverse=True)  # the most selective word first
        cap = SINGLE_WORD_CAP if len(tokens) == 1 else None
        total = self._token_hits(tokens[0], limit, cap)
        for token in tokens[1:]:
            if not total:
                return []
            if len(total) <= 5000:
                typos = set(self._typo_words(token))
                narrowed: dict[str, int] = {}
                for pid, rank in total.items():
                    found = self._entry_rank(self._entries[pid], token, typos)
                    if found is not None:
                        narrowed[pid] = rank + found
                total = narrowed
            else:
                hits = self._token_hits(token, limit)
                total = {pid: r + hits[pid] for pid, r in total.items() if pid in hits}
        entries = self._entries
        best = heapq.nsmallest(
            limit, total.items(), key=lambda kv: (kv[1], entries[kv[0]].sort_key)
        )
        return [self._hit(pid, rank) for pid, rank in best]

    def likely_duplicates(
        self,
        family: str = "",
        first: str = "",
        phone: str | None = None,
        birth_date: date | None = None,
        *,
        limit: int = 5,
    ) -> list[Duplicate]:
        """People already known who may be the one typed (the rule: domain/identity.py
        `intake_match`). The index only finds the candidates: the same phone, a word
        of the family name (or a typo of it), the same birth date. `phone` is E.164 or
        typed."""
        from rapidfuzz import fuzz

        e164: str | None = None
        if phone:
            try:
                e164 = phone if phone.startswith("+33") else text.parse_phone(phone)
            except text.ValidationError:
                e164 = None
        fam, fst = text.fold(family), text.fold(first)
        born = birth_date.isoformat() if birth_date is not None else None
        candidates: set[str] = set(self._by_phone.get(e164 or "", ()))
        if fam and fst:
            named: set[str] = set()
            fam_words = fam.split()
            for word in {fam_words[0], fam_words[-1]}:
                for w in [*self._typo_words(word), word]:
                    named |= self._by_word.get(w, set())
            if len(named) > 20000:  # a very common name: keep the same first name
                named &= self._by_word.get(fst.split()[0], set()) if fst else set()
            candidates |= named
        if born is not None:
            candidates |= self._by_birth.get(born, set())
        score: dict[str, float] = {}
        reasons: dict[str, tuple[str, ...]] = {}
        for pid in candidates:
            found = identity.intake_match(fam, fst, e164, born, self._entries[pid], fuzz.ratio)
            if found:
                reasons[pid] = tuple(reason for reason, _points in found)
                score[pid] = sum(points for _reason, points in found)
        order = sorted(reasons, key=lambda pid: (-score[pid], self._entries[pid].sort_key))
        return [Duplicate(self._hit(pid), reasons[pid]) for pid in order[:limit]]


def _is_name(word: str) -> bool:
    return word[0] != PHONE_MARK and not word.isdigit()


def _tokens(query: str) -> list[str]:
    """Folded words; a query that is a phone number (digits, spaces, dots, +) is one word."""
    raw = query.strip()
    compact = "".join(ch for ch in raw if ch not in " .-/()+")
    if compact.isdigit() and compact:
        return [compact[2:] if compact.startswith("0033") else compact]
    return list(dict.fromkeys(text.fold(raw).split()))


# One index per open repository, built on first use.
_INDEXES: weakref.WeakKeyDictionary[Any, SearchIndex] = weakref.WeakKeyDictionary()
_BUILDING = threading.Lock()


def index_for(repo: Any) -> SearchIndex:
    """The repository's index, built on first call, refreshed if the repository changed."""
    index = _INDEXES.get(repo)
    if index is None:
        with _BUILDING:
            index = _INDEXES.get(repo)
            if index is None:
                index = SearchIndex.build(repo)
                _INDEXES[repo] = index
                return index
    index.refresh(repo)
    return index


def warm_up(repo: Any) -> None:
    """Build the index ahead of the first search (call it from a worker thread at start:
    about 0.15 s for 10,000 people, 2 to 4 s for 100,000)."""
    index_for(repo)


def index_if_built(repo: Any) -> SearchIndex | None:
    return _INDEXES.get(repo)


def search(repo: Any, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    return index_for(repo).search(query, limit)


def likely_duplicates(
    repo: Any,
    family: str = "",
    first: str = "",
    phone: str | None = None,
    birth_date: date | None = None,
    *,
    limit: int = 5,
) -> list[Duplicate]:
    """See `SearchIndex.likely_duplicates`."""
    return index_for(repo).likely_duplicates(family, first, phone, birth_date, limit=limit)
