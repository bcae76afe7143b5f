"""Use cases on a person: quick intake, edit, interviews, stages, orientations, outcomes,
and the person's timeline. Called by the intake screen, the person's file and other
areas (tasks, privacy). No Textual here.

- `form`: the person form's fields, one validator per field derived from the model,
  `person_from_form` (every field, French reason per field) and `field_error` (one);
- `pickers`: what the commune and QPV pickers offer;
- `records`: the intake and the other writes (one durable save each);
- `timeline`: the person's file read back.

The names callers use are re-exported here.
"""

from citeslab_tui.services.people.form import (
    FORM_FIELDS,
    FormErrors,
    FormField,
    commune_token,
    field_error,
    form_values,
    parse_birth,
    person_from_form,
)
from citeslab_tui.services.people.pickers import (
    Offer,
    commune_exact,
    commune_label,
    commune_offers,
    qpv_exact,
    qpv_label,
    qpv_offers,
)
from citeslab_tui.services.people.records import (
    POSITIVE_NOTE,
    IntakeResult,
    add_orientation,
    add_outcome,
    change_stage,
    check_redirect,
    create_person_with_intake,
    get_person,
    link_queue_entry,
    log_interview,
    redirect_queue_entry,
    update_person,
)
from citeslab_tui.services.people.timeline import TimelineRow, current_stage, timeline
from citeslab_tui.services.people.timeline import warm_up as warm_up_files

__all__ = [
    "FORM_FIELDS",
    "POSITIVE_NOTE",
    "FormErrors",
    "FormField",
    "IntakeResult",
    "Offer",
    "TimelineRow",
    "add_orientation",
    "add_outcome",
    "change_stage",
    "check_redirect",
    "commune_exact",
    "commune_label",
    "commune_offers",
    "commune_token",
    "create_person_with_intake",
    "current_stage",
    "field_error",
    "form_values",
    "get_person",
    "link_queue_entry",
    "log_interview",
    "parse_birth",
    "person_from_form",
    "qpv_exact",
    "qpv_label",
    "qpv_offers",
    "redirect_queue_entry",
    "timeline",
    "update_person",
    "warm_up_files",
]
