"""Personal data, one module per use case: `finding` (the person a request is about),
`access` (right of access: the text and JSON copies), `audit` (who wrote what),
`erasure` (right to erasure, anonymisation), `retention` (the retention period and its
monthly reminder), `notice` (the information notice given at intake).

Called by the CLI (`citeslab person export|erase`, `citeslab retention`) and by the
UI (person's file: export, erase; audit trail dialog), through the names re-exported
here. No Textual. Nothing here logs or raises personal data, except the French list
of matching people a staff member asked for (ambiguous search): shown, never logged.
"""

from citeslab_tui.services.privacy.access import (
    access_json,
    access_report,
    access_text,
    render_access,
    write_access_export,
)
from citeslab_tui.services.privacy.audit import AuditEntry, audit_trail
from citeslab_tui.services.privacy.erasure import (
    REASON_REQUEST,
    REASON_RETENTION,
    ErasureResult,
    erase_people,
    erase_person,
)
from citeslab_tui.services.privacy.finding import (
    AmbiguousPerson,
    PersonNotFound,
    describe_person,
    family_ids,
    find_people,
    linked_docs,
    resolve_person,
)
from citeslab_tui.services.privacy.notice import notice_path, notice_text
from citeslab_tui.services.privacy.retention import (
    RetentionCandidate,
    apply_retention,
    check_months,
    format_period,
    last_contact,
    months_before,
    retention_due,
    retention_reminder,
)

__all__ = [
    "REASON_REQUEST",
    "REASON_RETENTION",
    "AmbiguousPerson",
    "AuditEntry",
    "ErasureResult",
    "PersonNotFound",
    "RetentionCandidate",
    "access_json",
    "access_report",
    "access_text",
    "apply_retention",
    "audit_trail",
    "check_months",
    "describe_person",
    "erase_people",
    "erase_person",
    "family_ids",
    "find_people",
    "format_period",
    "last_contact",
    "linked_docs",
    "months_before",
    "notice_path",
    "notice_text",
    "render_access",
    "resolve_person",
    "retention_due",
    "retention_reminder",
    "write_access_export",
]
