"""The in-memory index: people by folded word, phone and birth date; ranked search and
the candidates of the intake's "already known?" rule."""

from __future__ import annotations

import bisect
import heapq
from datetime import date
from typing import Any

from citeslab_tui.domain import identity, text
from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.services.search.words import (
    EXACT,
    INSIDE,
    MIN_PHONE_DIGITS,
    PHONE_MARK,
    PREFIX,
    TYPO,
    Duplicate,
    Entry,
    Hit,
    entry_of,
    is_name,
    query_words,
)
from citeslab_tui.store.repository import Repository

DEFAULT_LIMIT = 20
SINGLE_WORD_CAP = 2000  # candidates ranked for a one-word query (a letter or two typed)


class SearchIndex:
    """People by folded word. Use `index_for(repo)` to share one per repository."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._by_word: dict[str, set[str]] = {}
        self._vocab: list[str] = []  # sorted distinct words
        self._by_phone: dict[str, set[str]] = {}
        self._by_birth: dict[str, set[str]] = {}
        self._names: list[str] = []  # sorted distinct words with letters (typo search)
        # derived vocabularies, dropped on change: all phone words in one string and
        # their offsets; per prefix length, {prefix: name words} and its keys
        self._blob: tuple[str, list[int]] | None = None
        self._prefix_cache: dict[int, tuple[dict[str, list[str]], list[str]]] = {}
        self.lseq = -1

    # --- building and updating ----------------------------------------------------

    @classmethod
    def build(cls, repo: Repository) -> SearchIndex:
        index = cls()
        index.lseq = repo.lseq  # read first: a save meanwhile is applied again later
        for doc in repo.docs("person"):  # the people as they are now (a worker thread may
            entry = entry_of(doc)  # build this while the UI saves)
            if entry is not None:
                index._add(entry)
        index._vocab = sorted(index._by_word)
        index._names = [w for w in index._vocab if is_name(w)]
        index._phone_blob()  # ready before the first keystroke
        return index

    def __len__(self) -> int:
        return len(self._entries)

    def _add(self, entry: Entry, *, insort: bool = False) -> None:
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
            self._blob = None
        elif is_name(word):
            if added:
                bisect.insort(self._names, word)
            else:
                pos = bisect.bisect_left(self._names, word)
                if pos < len(self._names) and self._names[pos] == word:
                    del self._names[pos]
            self._prefix_cache.clear()

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
        entry = entry_of(doc)
        if entry is not None:
            self._add(entry, insort=True)

    def refresh(self, repo: Repository) -> None:
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
        if self._blob is None:
            words = self._words("phone")
            offsets: list[int] = []
            position = 0
            for word in words:
                offsets.append(position)
                position += len(word) + 1
            self._blob = ("\n".join(words), offsets)
        return self._blob

    def _phones_containing(self, digits: str) -> list[str]:
        blob, offsets = self._phone_blob()
        words = self._words("phone")
        found: list[str] = []
        at = blob.find(digits)
        while at != -1:
            found.append(words[bisect.bisect_right(offsets, at) - 1])
            at = blob.find(digits, at + 1)
        return found

    def _prefixes(self, length: int) -> tuple[dict[str, list[str]], list[str]]:
        """First `length` letters of the longer name words -> those words, and those
        prefixes; cached."""
        if length not in self._prefix_cache:
            prefixes: dict[str, list[str]] = {}
            for word in self._words("name"):
                if len(word) > length:
                    prefixes.setdefault(word[:length], []).append(word)
            self._prefix_cache[length] = (prefixes, list(prefixes))
        return self._prefix_cache[length]

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

    def _entry_rank(self, entry: Entry, token: str, typos: set[str]) -> int | None:
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
        tokens = query_words(query)
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
            except ValidationError:
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
