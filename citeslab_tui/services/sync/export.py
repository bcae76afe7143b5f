"""Sending: what this device changed since its last send, in one signed (and, unless
asked otherwise, encrypted) file for the office.

The range is reserved before the file is written and recorded once the file is
verified (see the bookkeeping in the package docstring): a crash in between never
leaves a gap at the office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from citeslab_tui import __version__
from citeslab_tui.bundles import codec, keys, write
from citeslab_tui.bundles.codec import Manifest
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.domain.models import RECORD_TYPES
from citeslab_tui.perf import no_gc
from citeslab_tui.services.sync.common import Progress, compact, describe_counts, notify
from citeslab_tui.store.repository import Repository


@dataclass
class ExportResult:
    path: Path | None
    counts: dict[str, int]
    seq_from: int = 0
    seq_to: int = 0
    encrypted: bool = True
    message: str = ""


def changed_docs(repo: Repository, since: int) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for kind in RECORD_TYPES:
        for doc in repo.docs(kind, include_deleted=True):
            if int(doc.get("meta", {}).get("lseq", 0)) > since:
                out.append((kind, doc))
    out.sort(key=lambda item: item[1]["meta"].get("lseq", 0))
    return out


def office_acked(repo: Repository) -> int:
    """On a laptop: the office's sequence number up to which it holds every change of
    the office (the return files it imported cover 1..N without a hole); 0: none.
    Stated in each file the laptop sends (`Manifest.acked`): the office's next return
    file for it carries only what the office changed after N."""
    if repo.settings.role == "office":
        return 0
    try:
        office = keys.office_identity(repo.folder)
    except CitesLabError:
        return 0
    ranges = repo.local_state("sync_ranges", {}) or {}
    spans = ranges.get(office.device) if office is not None else None
    if not isinstance(spans, list):
        return 0
    merged = compact([[int(a), int(b)] for a, b in spans])
    return merged[0][1] if merged and merged[0][0] <= 1 else 0


def _structure_id(repo: Repository) -> str:
    structure = repo.settings.structure_id
    if not structure:
        raise CitesLabError(
            "Ce portable ne connaît pas encore le bureau : installez son identité (F5 "
            "Synchro, F9 Clés ; ou « citeslab keys trust FICHIER », fichier écrit au bureau "
            "par F9 Clés, Ctrl+E ou « citeslab keys export »), puis recommencez."
        )
    return structure


def _recipients_for_export(repo: Repository, unencrypted: bool) -> list[str]:
    if unencrypted:
        return []
    office = keys.office_key(repo.folder)
    if not office and repo.settings.role == "office":
        raise CitesLabError(
            "Ce poste est le bureau central : il n'envoie pas ses changements, il écrit "
            "le fichier retour des portables (F8 dans l'écran Synchro, ou « citeslab sync "
            "return DOSSIER »)."
        )
    if not office:
        raise CitesLabError(
            "Aucune identité du bureau n'est installée sur ce poste : installez-la (F5 "
            "Synchro, F9 Clés ; ou « citeslab keys trust FICHIER » avec le fichier "
            "d'identité du bureau), ou exportez en clair avec --unencrypted (déconseillé)."
        )
    return [office, *keys.escrow_keys(repo.folder)]


@dataclass
class ExportPlan:
    """An export decided and serialised on the thread that owns the repository;
    `write_export` (any thread, no repository) then compresses, encrypts, signs,
    writes and verifies; `commit_export` (owner thread) records it."""

    kind: str  # "export" or "return"
    manifest: Manifest
    raw: bytes  # JSON array of [kind, document]
    counts: dict[str, int]
    recipients: list[str]
    local: dict[str, Any]  # bookkeeping to record once the file is verified
    secret: bytes = b""  # the signing key
    resumed: tuple[int, int] | None = None  # an earlier bundle that was never recorded
    path: Path | None = None


def make_plan(
    repo: Repository,
    docs: list[tuple[str, dict[str, Any]]],
    *,
    kind: str,
    seq_from: int,
    seq_to: int,
    full: bool,
    recipients: list[str],
    local: dict[str, Any],
    acked: int = 0,
    for_device: str = "",
    raw: bytes | None = None,
) -> ExportPlan:
    """`raw`: `docs` already serialised (return files for several laptops share it)."""
    if len(docs) > codec.MAX_RECORDS:
        raise CitesLabError(
            f"Trop d'enregistrements pour un seul fichier ({len(docs)}, maximum "
            f"{codec.MAX_RECORDS}) : rien n'a été écrit."
        )
    counts: dict[str, int] = {}
    hlc_max = ""
    with no_gc():
        for record_kind, doc in docs:
            counts[record_kind] = counts.get(record_kind, 0) + 1
            hlc_max = max(hlc_max, str(doc.get("meta", {}).get("hlc", "")))
        # meta.lseq travels but is ignored on import
        if raw is None:
            raw = orjson.dumps(docs)
    manifest = Manifest(
        structure=_structure_id(repo),
        device=repo.device,
        device_name=repo.settings.device_name[:80],
        role=repo.settings.role,
        app_version=__version__,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seq_from=seq_from,
        seq_to=seq_to,
        full=full,
        count=len(docs),
        counts=counts,
        hlc_max=hlc_max or repo.clock.last,
        encryption="age" if recipients else "none",
        signature="ed25519",
        acked=acked,
        for_device=for_device,
    )
    keys.ensure_identity(repo.folder)
    secret = keys.signer(repo.folder)
    return ExportPlan(kind, manifest, raw, counts, recipients, local, secret)


def plan_export(
    repo: Repository, *, full: bool = False, unencrypted: bool = False
) -> ExportPlan | None:
    """What the next export carries (None: nothing new). Owner thread.

    The range is reserved durably here, before the file is written (`sync_pending`):
    if the app dies between writing the file and recording it, the next export knows
    a file for that range may exist and starts again at its first number, so the office
    merges the overlap (idempotent) and sees no gap.
    """
    _structure_id(repo)
    recipients = _recipients_for_export(repo, unencrypted)
    exported = int(repo.local_state("sync_exported", 0))
    sent_to = int(repo.local_state("sync_sent_to", 0))
    pending = repo.local_state("sync_pending")
    since = 0 if full else exported
    docs = changed_docs(repo, since)
    acked = office_acked(repo)
    told = int(repo.local_state("sync_acked_told", 0))
    if not docs:
        if acked <= told or full:
            return None
        # Nothing new here, but a return file came in since the last send: a file with
        # no record tells the office, so its next return file for us stays small.
        return make_plan(
            repo,
            [],
            kind="export",
            seq_from=sent_to,
            seq_to=sent_to,
            full=False,
            recipients=recipients,
            local={"sync_acked_told": acked},
            acked=acked,
        )
    # The range continues the last one sent, so the office sees no false gap when
    # numbers were skipped (changes that came from the office itself).
    seq_from = 1 if full else sent_to + 1
    resumed = None
    if isinstance(pending, list) and len(pending) == 2 and not full:
        resumed = (int(pending[0]), int(pending[1]))
        seq_from = min(seq_from, resumed[0])
    seq_to = repo.lseq
    repo.put_docs([], local={"sync_pending": [seq_from, seq_to]})
    local = {
        "sync_exported": max(exported, seq_to),
        "sync_sent_to": max(sent_to, seq_to),
        "sync_pending": None,
        "sync_acked_told": max(told, acked),
    }
    plan = make_plan(
        repo,
        docs,
        kind="export",
        seq_from=seq_from,
        seq_to=seq_to,
        full=full,
        recipients=recipients,
        local=local,
        acked=acked,
    )
    plan.resumed = resumed
    return plan


def write_export(plan: ExportPlan, folder: Path, progress: Progress | None = None) -> Path:
    """Seal (compress, encrypt, sign), write under a temporary name, rename, read back,
    compare (bundles/write.py). Touches no repository: safe in a worker thread."""

    def step(fraction: float, text: str) -> None:
        notify(progress, fraction, text)

    data = write.seal(plan.manifest, plan.raw, plan.recipients, plan.secret, step)
    notify(progress, 0.7, "Écriture et relecture…")
    name = write.file_name_now(plan.manifest)
    plan.path = write.write_verified(Path(folder), name, data, private=not plan.recipients)
    return plan.path


def commit_export(repo: Repository, plan: ExportPlan) -> ExportResult:
    """Record a verified export (owner thread) and say what went, in French."""
    assert plan.path is not None, "write_export first"
    if plan.local:
        repo.put_docs([], local=plan.local)
    from citeslab_tui.logs import log_event

    m = plan.manifest
    log_event(
        f"sync.{plan.kind}", records=m.count, seq_from=m.seq_from, seq_to=m.seq_to, full=m.full
    )
    what = describe_counts(plan.counts)
    if plan.kind == "export" and not m.count:
        what = "aucun enregistrement (confirme au bureau le fichier retour reçu)"
    clear = "" if plan.recipients else " (NON chiffré)"
    title = "Fichier retour prêt et vérifié" if plan.kind == "return" else "Envoi prêt et vérifié"
    if plan.kind == "return" and m.for_device:
        scope = "complet" if m.full else f"changements {m.seq_from} à {m.seq_to}"
        title = f"Fichier retour pour {m.for_device} ({scope}) prêt et vérifié"
    message = f"{title}{clear} : {what}. Fichier {plan.path.name}."
    if plan.resumed:
        a, b = plan.resumed
        message += (
            f" Il reprend un envoi précédent interrompu (changements {a} à {b}) : si ce "
            "fichier-là est aussi sur la clé, le bureau peut importer les deux sans risque."
        )
    return ExportResult(
        plan.path, plan.counts, m.seq_from, m.seq_to, bool(plan.recipients), message
    )


NOTHING_NEW = "Rien de nouveau à envoyer depuis le dernier envoi."


def export_bundle(
    repo: Repository,
    folder: Path,
    *,
    full: bool = False,
    unencrypted: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the changes not yet exported (or everything with `full`) to `folder`."""
    folder = Path(folder)
    notify(progress, 0.05, "Recherche des changements…")
    plan = plan_export(repo, full=full, unencrypted=unencrypted)
    if plan is None:
        return ExportResult(None, {}, message=NOTHING_NEW)
    write_export(plan, folder, progress)
    result = commit_export(repo, plan)
    notify(progress, 1.0, "Terminé.")
    return result
