"""Use cases of services/people.py and the intake draft (services/drafts.py)."""

from __future__ import annotations

import os
from datetime import date

import pytest

from citeslab_tui.domain.errors import ValidationError
from citeslab_tui.domain.models import (
    Interview,
    OutcomeKind,
    Person,
    QueueEntry,
    QueueStatus,
    Stage,
    StageEvent,
)
from citeslab_tui.services import drafts, people, search

TODAY = date(2026, 11, 26)


def intake(ws, **values):
    base = {
        "family_name": "Dïallo",
        "first_name": "Héloïse",
        "birth": "12/03/1987",
        "phone": "06 12 34 56 78",
        "notice_given": True,
        "commune": "herouville st clair",
        "qpv": "grand parc",
        "civility": "madame",
        "approach": "individual",
    }
    base.update(values)
    return people.create_person_with_intake(ws, base, today=TODAY)


def test_intake_saves_four_records_in_one_save(workspace):
    lseq = workspace.repo.lseq
    result = intake(workspace)
    assert workspace.repo.lseq == lseq + 4
    person = workspace.repo.get(Person, result.person.id)
    assert person.family_name == "Dïallo"
    assert person.phone == "+33612345678"
    assert person.birth_date == date(1987, 3, 12) and person.birth_year == 1987
    assert person.commune == "Hérouville-Saint-Clair" and person.commune_insee == "14327"
    assert person.qpv == "herouville"  # the QPV's key (its name may change, not its key)
    assert person.notice_given_on == TODAY
    assert workspace.repo.get(Interview, result.interview.id).on == TODAY
    assert workspace.repo.get(StageEvent, result.stage.id).stage is Stage.SENSITIZED
    entry = workspace.repo.get(QueueEntry, result.queue_entry.id)
    assert entry.status is QueueStatus.IN_INTERVIEW and entry.person_id == person.id


def test_intake_links_the_given_queue_entry(workspace):
    entry = QueueEntry(day=TODAY, site="Caen – Chemin Vert", display_name="Héloïse")
    workspace.repo.save(entry)
    result = people.create_person_with_intake(
        workspace, {"family_name": "Martin"}, today=TODAY, queue_entry_id=entry.id
    )
    linked = workspace.repo.get(QueueEntry, entry.id)
    assert result.queue_entry.id == entry.id
    assert linked.person_id == result.person.id
    assert linked.status is QueueStatus.IN_INTERVIEW
    assert workspace.repo.count("queue") == 1


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("family_name", "", "obligatoire"),
        ("phone", "06 12", "10 chiffres"),
        ("birth", "31/02/1990", "impossible"),
        ("birth", "2099", "impossible"),
        ("birth", "01/01/2030", "futur"),
        ("email", "pas-un-mail", "e-mail"),
    ],
)
def test_invalid_fields_say_why_and_nothing_is_saved(workspace, field, value, fragment):
    lseq = workspace.repo.lseq
    with pytest.raises(people.FormErrors) as caught:
        intake(workspace, **{field: value})
    assert fragment in caught.value.errors[field]
    assert workspace.repo.lseq == lseq


def test_person_use_cases_and_timeline(workspace):
    pid = intake(workspace).person.id
    people.log_interview(workspace, pid, on="20/11/2026", channel="phone", notes="Point [b]x[/]")
    people.change_stage(workspace, pid, "detected", on=TODAY, today=TODAY)
    people.add_orientation(workspace, pid, "adie", on="21/11/2026", today=TODAY)
    people.add_outcome(workspace, pid, OutcomeKind.TRAINING, on=TODAY, today=TODAY)
    assert people.current_stage(workspace, pid) is Stage.DETECTED
    rows = people.timeline(workspace, pid)
    kinds = [r.kind for r in rows]
    assert kinds[0] == "outcome" and "orientation" in kinds
    assert any(r.detail.endswith("Point [b]x[/]") for r in rows)
    assert any(r.detail == "Adie" for r in rows)  # canonical partner name
    with pytest.raises(ValidationError):
        people.log_interview(workspace, pid, on="32/01/2026")
    with pytest.raises(ValidationError):
        people.change_stage(workspace, pid, "emergence", on="01/01/2099", today=TODAY)


def test_update_person_keeps_other_fields(workspace):
    pid = intake(workspace).person.id
    updated = people.update_person(workspace, pid, {"usage_name": "Martin", "phone": ""})
    assert updated.usage_name == "Martin" and updated.phone is None
    assert updated.first_name == "Héloïse" and updated.notice_given_on == TODAY
    assert people.form_values(updated)["birth"] == "12/03/1987"


def test_search_index_follows_saves(workspace):
    first = intake(workspace).person.id
    assert [h.person_id for h in search.search(workspace.repo, "heloise")] == [first]
    second = intake(workspace, family_name="Hébert", first_name="Loïc", phone="").person.id
    assert [h.person_id for h in search.search(workspace.repo, "HEBERT loic")] == [second]
    assert [h.person_id for h in search.search(workspace.repo, "hebret")] == [second]  # typo
    assert search.search(workspace.repo, "0612 34")[0].person_id == first
    assert search.search(workspace.repo, "+33 6 12 34 56 78")[0].phone == "06 12 34 56 78"
    # a write that bypasses services/people.py is picked up at the next query
    person = workspace.repo.get(Person, second).model_copy(update={"first_name": "Gaël"})
    workspace.repo.save(person)
    assert [h.person_id for h in search.search(workspace.repo, "gael")] == [second]
    assert search.search(workspace.repo, "loic") == []


def test_likely_duplicates(workspace):
    pid = intake(workspace).person.id
    found = search.likely_duplicates(workspace.repo, "diallo", "heloise")
    assert found and found[0].person_id == pid
    assert search.likely_duplicates(workspace.repo, "Dialo", "Eloise")[0].person_id == pid
    by_phone = search.likely_duplicates(workspace.repo, "Autre", "Nom", "0612345678")
    assert by_phone[0].reasons == ("même téléphone",)
    by_birth = search.likely_duplicates(workspace.repo, "Diallo-Bah", "H", None, date(1987, 3, 12))
    assert "même date de naissance" in by_birth[0].reasons
    assert search.likely_duplicates(workspace.repo, "Martin", "Paul") == []


def test_draft_round_trip_is_private(data_dir):
    data_dir.mkdir()
    drafts.save_draft(data_dir, {"family_name": "Dïallo"})
    path = drafts.draft_path(data_dir)
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    assert drafts.load_draft(data_dir) == {"family_name": "Dïallo"}
    drafts.delete_draft(data_dir)
    assert drafts.load_draft(data_dir) is None
    path.write_text("not json")
    assert drafts.load_draft(data_dir) is None


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"qpv": "caen"}, "qpv", "« caen » n'est pas un quartier de la liste"),
        (
            {"commune": "caen", "qpv": "grand parc"},
            "qpv",
            "n'est pas dans la liste des quartiers prioritaires de Caen",
        ),
        ({"commune": "colombelles", "qpv": "colombelles"}, "qpv", "carte en vigueur"),
        ({"commune": "Rennes"}, "commune", "n'est pas une commune du Calvados"),
        ({"commune": "autre:"}, "commune", "écrivez son nom"),
    ],
)
def test_free_text_is_never_saved_in_commune_or_qpv(workspace, values, field, fragment):
    """Issue #11: the intake cannot save a QPV (or a commune) that is not in the list."""
    with pytest.raises(people.FormErrors) as caught:
        intake(workspace, **{"commune": "", "qpv": "", **values})
    assert fragment in caught.value.errors[field]
    assert workspace.repo.count("person") == 0


def test_commune_and_qpv_from_the_lists(workspace):
    person = intake(workspace, commune="autre:Rennes", qpv="ne sait pas").person
    assert (person.commune_insee, person.commune, person.qpv) == ("autre", "Rennes", "")
    person = intake(workspace, commune="IFS", qpv="la gueriniere", family_name="B").person
    assert (person.commune_insee, person.qpv) == ("14341", "gueriniere")
    person = intake(workspace, commune="14118", qpv="Hors QPV", family_name="C").person
    assert (person.commune, person.qpv) == ("Caen", "hors QPV")


# --- the form's validators: one per field, derived from the model ---------------------


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("phone", "06 12", "10 chiffres"),
        ("birth", "31/02/1990", "impossible"),
        ("email", "pas-un-mail", "e-mail"),
        ("first_name", "123", "au moins une lettre"),
        ("civility", "duc", "Civilité inconnue"),
        ("commune", "Paris", "pas une commune du Calvados"),
    ],
)
def test_one_field_is_checked_alone(workspace, field, value, fragment):
    """What the form asks when the cursor leaves a field: only that field, with the same
    reason as a save would give (the empty family name is not reported here)."""
    values = {"family_name": "", "phone": "pas un numéro", field: value}
    reason = people.field_error(field, values, workspace.reference, today=TODAY)
    assert fragment in reason
    assert people.field_error("email", {"phone": "x"}, workspace.reference, today=TODAY) == ""


def test_the_qpv_left_is_checked_against_the_commune_typed(workspace):
    ref = workspace.reference
    caen = {"commune": "Caen", "qpv": "Chemin Vert"}
    assert people.field_error("qpv", caen, ref, today=TODAY) == ""
    ifs = {"commune": "Colombelles", "qpv": "Chemin Vert"}
    assert "pas dans la liste des quartiers prioritaires de Colombelles" in people.field_error(
        "qpv", ifs, ref, today=TODAY
    )
    # the commune's own problem belongs to the commune field
    assert people.field_error("qpv", {"commune": "Paris", "qpv": "hors QPV"}, ref) == ""


def test_form_fields_take_their_title_help_and_rule_from_the_model(workspace):
    from citeslab_tui.domain.models import Person

    fields = people.FORM_FIELDS
    assert fields["family_name"].label == Person.model_fields["family_name"].title
    assert fields["phone"].help == Person.model_fields["phone"].description
    assert fields["family_name"].required and not fields["first_name"].required
    assert fields["situation"].table == "situations" and fields["heard_from"].table == "sources"
    # a name from a reference table is stored in the table's own spelling
    typed = workspace.reference.names("sectors")[0].upper()
    person = people.person_from_form(
        {"family_name": "Sow", "sector": typed}, workspace.reference, today=TODAY
    )
    assert person.sector == workspace.reference.names("sectors")[0]
    # a text field holds at most the model's max_length
    limit = Person.model_fields["project_idea"].metadata[0].max_length
    ok = {"family_name": "Sow", "project_idea": "x" * limit}
    assert people.person_from_form(ok, workspace.reference, today=TODAY).project_idea == "x" * limit
    with pytest.raises(people.FormErrors) as caught:
        people.person_from_form({**ok, "project_idea": "x" * (limit + 1)}, workspace.reference)
    assert set(caught.value.errors) == {"project_idea"}
