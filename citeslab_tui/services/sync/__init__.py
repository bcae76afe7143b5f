"""Sync use cases, one module each: `export` (a laptop sends its changes),
`office_return` (the office's return files, one per laptop), `importing` (files received, checked whole
by bundles/read.py, merged in one durable save), `status` (what will go, what came),
`conflicts` and `duplicates` (to review). Called by the CLI and the sync screen, through
the names re-exported here.

Bookkeeping lives in the repository's local (never synced) state, written in the
same durable step as the merged records:
- `sync_exported`: local sequence number up to which changes were exported (or need
  not be: they came from the office);
- `sync_sent_to`: end of the last sequence range sent (ranges are contiguous);
- `sync_pending`: [from, to] of a bundle being written, recorded durably BEFORE the
  file is written and cleared once it is verified and recorded: after a crash in
  between, the next export starts again at `from` (the office merges the overlap);
- `sync_acked_told` (laptop): the office sequence number last stated in a sent file
  (`Manifest.acked`); a laptop with nothing new still sends a file with no record
  when a return file came in since, so the office's next return for it stays small;
- `sync_ranges`: {device: [[from, to], ...]} sequence ranges imported per device;
- `sync_files`: {sha256 of file: {device, from, to, at}} files already imported;
- `sync_clocks`: {device: {"offset_ms", "at"}} clock skew seen in its last file;
- `sync_acked` (office): {laptop: {"acked", "seq_to"}} the office sequence number the
  laptop holds everything up to, as its latest file (range end `seq_to`) states: its
  next return file carries only what changed after (office_return.py);
- `sync_different`: [[id, id], ...] person pairs marked "different".

Who may send what (keys: bundles/keys.py, checks: bundles/read.py): the office imports bundles signed by the
laptops enrolled there (`citeslab keys enroll`), a laptop imports the return file
signed by the office it trusts (`citeslab keys trust`); both check the structure id
in the manifest. Unsigned or unencrypted files are refused unless the caller allows
them explicitly (`allow_unsigned`, `allow_unencrypted`: the CLI's `--allow-unsigned`
and `--allow-unencrypted`).
"""

from citeslab_tui.bundles.read import ALLOW_UNENCRYPTED, ALLOW_UNSIGNED
from citeslab_tui.services.sync.common import Progress, describe_counts
from citeslab_tui.services.sync.conflicts import (
    ConflictItem,
    list_conflicts,
    record_label,
    resolve_conflict,
)
from citeslab_tui.services.sync.duplicates import (
    DuplicatePair,
    list_duplicate_pairs,
    list_duplicates,
    mark_different,
    merge_persons,
)
from citeslab_tui.services.sync.export import (
    NOTHING_NEW,
    ExportPlan,
    ExportResult,
    commit_export,
    export_bundle,
    plan_export,
    write_export,
)
from citeslab_tui.services.sync.importing import (
    FileReport,
    ImportReport,
    PreparedImport,
    apply_import,
    collect_paths,
    import_bundles,
    prepare_import,
)
from citeslab_tui.services.sync.office_return import (
    ReturnPlan,
    ReturnResult,
    acknowledged,
    plan_return,
    return_line,
    return_recipients,
    write_return,
)
from citeslab_tui.services.sync.status import own_clock_warning, pending_changes, received_summary

__all__ = [
    "ALLOW_UNENCRYPTED",
    "ALLOW_UNSIGNED",
    "NOTHING_NEW",
    "ConflictItem",
    "DuplicatePair",
    "ExportPlan",
    "ExportResult",
    "FileReport",
    "ImportReport",
    "PreparedImport",
    "ReturnPlan",
    "ReturnResult",
    "acknowledged",
    "Progress",
    "apply_import",
    "collect_paths",
    "commit_export",
    "describe_counts",
    "export_bundle",
    "import_bundles",
    "list_conflicts",
    "list_duplicate_pairs",
    "list_duplicates",
    "mark_different",
    "merge_persons",
    "own_clock_warning",
    "pending_changes",
    "plan_export",
    "plan_return",
    "prepare_import",
    "received_summary",
    "record_label",
    "resolve_conflict",
    "return_line",
    "return_recipients",
    "write_export",
    "write_return",
]
