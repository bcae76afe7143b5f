"""Version vectors that cannot lie: what a set of received files claims, checked
against each other and the database before anything is merged.

A file from device X may not claim, for X, more writes than the sequence numbers X ever
declared, nor (at the office), for another device Y, more writes of a record than this
database holds or receives from Y in the same import (laptops only learn other laptops'
writes through the office). A lying file is refused whole: its claims would make the
merge drop genuine later writes. The check runs again until no refused file remains
counted as a source. A laptop checks only the office's claims about itself: the office
checked the rest.
"""

from __future__ import annotations

from collections.abc import Sequence

from citeslab_tui.bundles import wire
from citeslab_tui.bundles.read import Bundle, Local


def lying_files(
    bundles: Sequence[Bundle],
    ranges: dict[str, list[list[int]]],
    *,
    me: str,
    office: bool,
    local: Local,
    lseq: int,
) -> dict[int, str]:
    """{position in `bundles`: French reason} of the files to refuse. `ranges`: the
    sequence ranges already received per device; `me`: this device; `lseq`: the last
    local sequence number here."""
    refused: dict[int, str] = {}
    while True:
        live = [(i, b) for i, b in enumerate(bundles) if i not in refused]
        declared: dict[str, int] = {}
        for device, spans in ranges.items():
            declared[device] = max((b for _a, b in spans), default=0)
        for _i, bundle in live:
            m = bundle.manifest
            declared[m.device] = max(declared.get(m.device, 0), m.seq_to)
        from_author: dict[str, dict[str, int]] = {}  # record id -> device -> counter
        if office:
            for _i, bundle in live:
                author = bundle.manifest.device
                for _kind, doc in bundle.records:
                    counter = doc["meta"]["vv"].get(author, 0)
                    seen = from_author.setdefault(doc["id"], {})
                    seen[author] = max(seen.get(author, 0), counter)
        found = False
        for i, bundle in live:
            problem = _lie(bundle, me, office, declared, from_author, local, lseq)
            if problem:
                refused[i] = problem
                found = True
        if not found:
            return refused


def _lie(
    bundle: Bundle,
    me: str,
    office: bool,
    declared: dict[str, int],
    from_author: dict[str, dict[str, int]],
    local: Local,
    lseq: int,
) -> str | None:
    author = bundle.manifest.device
    for n, (kind, doc) in enumerate(bundle.records, start=1):
        stored = local.doc(kind, doc["id"])
        stored_vv = (stored or {}).get("meta", {}).get("vv", {}) if stored else {}
        for device, counter in doc["meta"]["vv"].items():
            if device == author:
                limit = declared.get(author, 0)
                why = f"alors que ce poste n'a jamais déclaré plus de {limit} changement(s)"
            elif not office:
                continue  # a laptop trusts its office's signed file: the office checked it
            elif device == me:
                limit = max(int(stored_vv.get(me, 0)), lseq)
                why = f"alors que ce poste-ci n'en a fait que {limit} au plus"
            else:
                limit = max(
                    int(stored_vv.get(device, 0)), from_author.get(doc["id"], {}).get(device, 0)
                )
                why = f"alors que le bureau n'en a reçu que {limit} de ce poste"
            if counter > limit:
                return (
                    f"{wire.record_name(n, kind, doc['id'])} : son vecteur de versions annonce "
                    f"{counter} modification(s) du poste {device} {why} (vecteur falsifié, ou "
                    "envois manquants) ; fichier refusé en entier. Si des envois du poste "
                    f"{device} manquent, importez-les d'abord (ou demandez-lui un envoi complet "
                    "--full), puis réimportez ce fichier"
                )
    return None
