"""The staff's calendar (issue #15): `citeslab agenda` writes the coming appointments
and dated tasks as an iCalendar file, parsed back with the same library."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from citeslab_tui.cli import main
from citeslab_tui.domain.models import Civility, FollowUpTask, Person
from citeslab_tui.domain.vocabulary import TaskKind, TaskStatus
from citeslab_tui.services import agenda

PARIS = ZoneInfo("Europe/Paris")
TODAY = date.today()


def fill(ws) -> dict[str, FollowUpTask]:
    awa = Person(
        civility=Civility.MADAME,
        family_name="Diallo",
        first_name="Awa",
        phone="+33612345678",
        email="awa@exemple.fr",
    )
    ws.repo.save(awa)
    tasks = {
        # summer time and winter time: the same wall-clock hour in Paris
        "summer": FollowUpTask(
            person_id=awa.id,
            task_kind=TaskKind.APPOINTMENT,
            title="Point d'étape",
            due=date(TODAY.year + 1, 7, 15),
            time="09:30",
            site="Caen – Chemin Vert",
            assigned_to="Céline Perriot",
        ),
        "winter": FollowUpTask(
            person_id=awa.id,
            task_kind=TaskKind.APPOINTMENT,
            title="Rendez-vous",
            due=date(TODAY.year + 1, 1, 15),
            time="14:00",
            assigned_to="Céline Perriot",
        ),
        "call": FollowUpTask(
            person_id=awa.id,
            task_kind=TaskKind.CALL,
            title="Rappeler Awa",
            due=TODAY,
            assigned_to="Céline Perriot",
        ),
        # left out: past, done, someone else's
        "past": FollowUpTask(
            title="Passé", due=TODAY - timedelta(days=1), assigned_to="Céline Perriot"
        ),
        "done": FollowUpTask(
            title="Fait",
            due=TODAY,
            status=TaskStatus.DONE,
            done_on=TODAY,
            assigned_to="Céline Perriot",
        ),
        "karim": FollowUpTask(title="À Karim", due=TODAY, assigned_to="Karim Benali"),
    }
    ws.repo.save(*tasks.values())
    return tasks


def events(path: Path) -> dict[str, dict]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "location": str(e.get("LOCATION", "")),
            "raw": e.to_ical(),
        }
        for e in calendar.walk("VEVENT")
    }


@pytest.fixture
def filled(workspace) -> tuple[Path, dict[str, FollowUpTask]]:
    tasks = fill(workspace)
    folder = workspace.data_dir
    workspace.close()
    return folder, tasks


def test_agenda_file_parsed_back_with_paris_times_and_stable_uids(filled, tmp_path, capsys) -> None:
    folder, tasks = filled
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    for output in (first, second):
        assert main(["--data-dir", str(folder), "agenda", "--output", str(output)]) == 0
    assert "Calendrier écrit" in capsys.readouterr().out
    one, two = events(first), events(second)
    uid = {name: f"{task.id}@citeslab" for name, task in tasks.items()}
    assert set(one) == {uid["summer"], uid["winter"], uid["call"]}
    assert set(two) == set(one)  # a re-import updates the same events
    summer = one[uid["summer"]]
    assert summer["start"] == datetime(TODAY.year + 1, 7, 15, 9, 30, tzinfo=PARIS)
    assert summer["start"].utcoffset() == timedelta(hours=2)
    assert summer["end"] - summer["start"] == timedelta(minutes=agenda.APPOINTMENT_MINUTES)
    assert summer["summary"] == "Rendez-vous — Awa Diallo : Point d'étape"
    assert summer["location"] == "Caen – Chemin Vert"
    winter = one[uid["winter"]]
    assert winter["start"] == datetime(TODAY.year + 1, 1, 15, 14, 0, tzinfo=PARIS)
    assert winter["start"].utcoffset() == timedelta(hours=1)
    call = one[uid["call"]]
    assert call["start"] == TODAY and call["end"] == TODAY + timedelta(days=1)  # all day
    raw = first.read_bytes()
    assert b"TZID:Europe/Paris" in raw  # the time zone travels with the file
    assert b"0612345678" not in raw and b"awa@exemple.fr" not in raw  # minimal data
    assert first.stat().st_mode & 0o077 == 0


def test_initials_only_and_another_staff(filled, tmp_path, capsys) -> None:
    folder, tasks = filled
    output = tmp_path / "i.ics"
    args = ["--data-dir", str(folder), "agenda", "--output", str(output)]
    assert main([*args, "--initials"]) == 0
    raw = output.read_bytes().decode()
    assert "Diallo" not in raw and "Awa" not in raw and "Point d'étape" not in raw
    summaries = sorted(e["summary"] for e in events(output).values())
    assert summaries == ["Appel — A. D.", "Rendez-vous — A. D.", "Rendez-vous — A. D."]
    assert main([*args, "--staff", "karim benali"]) == 0  # case and accents ignored
    assert [e["summary"] for e in events(output).values()] == ["Autre : À Karim"]


def test_unknown_staff_and_unwritable_folder_are_one_french_sentence(
    filled, tmp_path, capsys
) -> None:
    folder, _tasks = filled
    output = tmp_path / "x.ics"
    code = main(["--data-dir", str(folder), "agenda", "--output", str(output), "--staff", "Nobody"])
    err = capsys.readouterr().err
    assert code != 0 and "Membre de l'équipe inconnu : « Nobody »" in err
    assert "Traceback" not in err and not output.exists()
    blocker = tmp_path / "fichier"  # a file where a folder is expected (even root fails)
    blocker.write_bytes(b"x")
    code = main(["--data-dir", str(folder), "agenda", "--output", str(blocker / "a.ics")])
    err = capsys.readouterr().err
    assert code != 0 and "Impossible d'écrire" in err and "Traceback" not in err
    assert blocker.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["donnees", "fichier"]  # no partial


def test_initials() -> None:
    assert agenda.initials("Jean-Pierre", "Martin") == "J.-P. M."
    assert agenda.initials("", "Diallo") == "D."
    assert agenda.agenda_file_name("Céline Perriot/../x") == "agenda-citeslab-celine-perriot-x.ics"
