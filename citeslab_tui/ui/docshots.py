"""Pictures and key table of the staff guide, produced from the app itself.

    .venv/bin/python -m citeslab_tui.ui.docshots            # docs/images/*.svg + key table
    .venv/bin/python -m citeslab_tui.ui.docshots --check    # exit 1 if the key table is stale

The screenshots come from the real app at 80x24 on a fresh demo data folder (fixed
seed, frozen clock, pinned arrival times), driven with the same keys a user
presses: a, Ctrl+N, Ctrl+F, F3, F4, F5, F1, c. The same code gives byte-identical
pictures, so `git diff` shows only real changes of the screens. If a key no longer leads to the screen a
picture expects, the command stops with ShotError. The key table of docs/guide.md (between the `keys:start` and
`keys:end` markers) is written from `ui.keys.all_bindings()`, so the guide cannot
disagree with the code; `tests/test_docs.py` fails when it does.

Developer tool: not used by the app at run time.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide.md"
IMAGES = ROOT / "docs" / "images"
KEYS_START = "<!-- keys:start -->"
KEYS_END = "<!-- keys:end -->"

# The day shown in every picture: a Thursday afternoon permanence, in the past (the
# demo places today's arrivals relative to the real clock when `today` is today).
PARIS = timezone(timedelta(hours=1))
SHOT_NOW = datetime(2026, 11, 19, 14, 25, tzinfo=PARIS)
FIRST_ARRIVAL = datetime(2026, 11, 19, 14, 0, tzinfo=PARIS)
SHOT_DAY = SHOT_NOW.date()
SIZE = (80, 24)
TEXT_COPIES = False  # --text: a .txt of each picture next to it, to review them
DEMO_PEOPLE = 120
DEMO_SEED = 1
STAFF = ["Céline Perriot", "Karim Benali"]
SYNC_FOLDER = "/media/celine/CLE-CITESLAB"  # shown, never used: no export is made
SITES = ["Caen – Chemin Vert", "Caen – Guérinière", "Hérouville – Grand Parc"]


@dataclass(frozen=True)
class Shot:
    name: str  # file name without .svg
    title: str  # French caption (alt text in the guide)
    screen: str  # class of the screen on top when the picture is taken


SHOTS: tuple[Shot, ...] = (
    Shot("arrivee", "Ajouter une arrivée (a)", "ArrivalDialog"),
    Shot("permanence", "La permanence du jour (F2)", "PermanenceScreen"),
    Shot("accueil", "La fiche de premier accueil (Ctrl+N)", "IntakeScreen"),
    Shot("recherche", "Rechercher une personne (Ctrl+F)", "SearchDialog"),
    Shot("fiche", "La fiche de la personne", "PersonScreen"),
    Shot("taches", "Les tâches de suivi (F3)", "TasksScreen"),
    Shot("bilan", "Le bilan d'activité (F4)", "BilanScreen"),
    Shot("synchro", "La synchronisation (F5)", "SyncScreen"),
    Shot("aide", "L'aide : toutes les touches (F1)", "HelpScreen"),
    Shot("cloture", "Clôturer la permanence (c)", "ConfirmDialog"),
)


class ShotError(RuntimeError):
    """The app did not show the expected screen: the navigation keys changed."""


# --- key table ------------------------------------------------------------------------


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _long_descriptions() -> dict[str, str]:
    """Binding id -> longer French text (the binding's tooltip, as in the F1 help)."""
    from citeslab_tui.ui.keys import GLOBAL_BINDINGS, bindings_of, described, documented_screens

    found: dict[str, str] = {}
    bindings = described(GLOBAL_BINDINGS)
    for owner in documented_screens():
        bindings += bindings_of(owner)
    for binding in bindings:
        if binding.id and binding.tooltip:
            found.setdefault(binding.id, binding.tooltip)
    return found


def key_table() -> str:
    """The Markdown key table (one section per screen) from the app's real bindings."""
    from citeslab_tui.ui.keys import all_bindings

    details = _long_descriptions()
    lines: list[str] = []
    previous: str | None = None
    for title, key, description, binding_id in all_bindings():
        if title != previous:
            if previous is not None:
                lines.append("")
            lines += [
                f"**{title}**",
                "",
                "| Touche | En bas de l'écran | Ce que fait la touche |",
                "|---|---|---|",
            ]
            previous = title
        detail = details.get(binding_id, description)
        lines.append(f"| {_cell(key)} | {_cell(description)} | {_cell(detail)} |")
    return "\n".join(lines)


def keys_block(text: str) -> str:
    """The text between the markers of a guide (stripped), or raise ValueError."""
    start, end = text.find(KEYS_START), text.find(KEYS_END)
    if start < 0 or end < start:
        raise ValueError(f"markers {KEYS_START} / {KEYS_END} not found")
    return text[start + len(KEYS_START) : end].strip()


def with_key_table(text: str, table: str | None = None) -> str:
    """`text` with the block between the markers replaced by the current key table."""
    keys_block(text)  # markers present
    table = key_table() if table is None else table
    start = text.find(KEYS_START) + len(KEYS_START)
    end = text.find(KEYS_END)
    return f"{text[:start]}\n{table}\n{text[end:]}"


def write_key_table(guide: Path = GUIDE) -> bool:
    """Rewrite the key table of the guide; True when it changed."""
    old = guide.read_text(encoding="utf-8")
    new = with_key_table(old)
    if new != old:
        guide.write_text(new, encoding="utf-8")
    return new != old


# --- screenshots ----------------------------------------------------------------------


def frozen_now() -> datetime:
    return SHOT_NOW


def make_demo_folder(folder: Path, today: date = SHOT_DAY) -> Path:
    """A configured data folder with reproducible demo data (same seed, same records)."""
    from citeslab_tui.demo import generate
    from citeslab_tui.domain.models import FollowUpTask, Person, QueueEntry, TaskKind
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(folder) as ws:
        ws.configure(
            structure="Mife du Calvados",
            staff=STAFF,
            device="portable-1",
            sites=SITES,
        )
        generate(ws, DEMO_PEOPLE, DEMO_SEED, today=today)
        # the demo's arrival times follow the machine's time zone: pin them
        arrivals = sorted(
            (e for e in ws.repo.all(QueueEntry) if e.day == today and e.arrived_at),
            key=lambda e: e.position,
        )
        ws.repo.save(
            *[
                e.model_copy(update={"arrived_at": FIRST_ARRIVAL + timedelta(minutes=7 * i)})
                for i, e in enumerate(arrivals)
            ]
        )
        # an appointment expected at this afternoon's permanence (an "Attendu" row)
        person = min(ws.repo.all(Person), key=lambda p: p.id)
        ws.repo.save(
            FollowUpTask(
                person_id=person.id,
                task_kind=TaskKind.APPOINTMENT,
                title="Rendez-vous de suivi",
                due=today,
                time="16:30",
                site=SITES[0],
                assigned_to=STAFF[0],
            )
        )
        ws.repo.save_settings(ws.settings.model_copy(update={"sync_folder": SYNC_FOLDER}))
    return folder


def _busy_workers(app: Any) -> list[Any]:
    """Unfinished workers of the app and of the screen on top.

    A worker of a screen underneath is typically waiting for the dialog on top
    to close: waiting for it would wait forever.
    """
    active = app.screen
    busy = []
    for worker in app.workers:
        if worker.is_finished:
            continue
        node = worker.node
        if node is app:
            busy.append(worker)
            continue
        try:
            screen = node.screen  # a screen is its own screen
        except Exception:  # a widget already removed
            continue
        if screen is active:
            busy.append(worker)
    return busy


async def _settle(pilot: Any, rounds: int = 3) -> None:
    """Let workers finish and the screen repaint (no timing: wait for the work itself)."""
    from textual.worker import WorkerCancelled, WorkerFailed

    for _ in range(rounds):
        busy = _busy_workers(pilot.app)
        if busy:
            try:
                await pilot.app.workers.wait_for_complete(busy)
            except (WorkerCancelled, WorkerFailed):
                pass  # a newer search replaced it, or the screen reports the failure
        await pilot.pause()


async def _type(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])


def _search_name(folder: Path) -> str:
    """Family and first name of a demo person with a full file (several interviews)."""
    from citeslab_tui.domain.models import Interview, Person
    from citeslab_tui.services.workspace import Workspace

    with Workspace.open(folder) as ws:
        counts: dict[str, int] = {}
        for interview in ws.repo.all(Interview):
            counts[interview.person_id] = counts.get(interview.person_id, 0) + 1
        people = sorted(ws.repo.all(Person), key=lambda p: (-counts.get(p.id, 0), p.id))
        person = people[0]
        return f"{person.family_name} {person.first_name}"


SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#[^)]*-line-(\d+)\)">(.*?)</text>'
)


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text (to review pictures): read back from the
    SVG picture itself (one <text> element per run of same-styled cells)."""
    from rich.cells import cell_len

    width, height = app.size
    rows: list[list[str]] = [[" "] * width for _ in range(height)]
    for x, length, line, content in SVG_TEXT.findall(app.export_screenshot()):
        text = html.unescape(content).replace("\xa0", " ")
        cells = cell_len(text)
        if not cells or int(line) >= height:
            continue
        column = round(float(x) / (float(length) / cells))
        for offset, char in enumerate(text):
            if 0 <= column + offset < width:
                rows[int(line)][column + offset] = char
    return "\n".join("".join(row).rstrip() for row in rows) + "\n"


def _as_typed(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()


async def _capture(app: Any, out: Path, name: str, saved: list[Path]) -> None:
    shot = next(s for s in SHOTS if s.name == name)
    shown = type(app.screen).__name__
    if shown != shot.screen:
        raise ShotError(f"{name}: expected {shot.screen} on top, got {shown}")
    target = out / f"{name}.svg"
    title = shot.title
    target.write_text(app.export_screenshot(title=f"CitésLab — {title}"), encoding="utf-8")
    saved.append(target)
    if TEXT_COPIES:
        target.with_suffix(".txt").write_text(screen_text(app), encoding="utf-8")


async def _scenario(pilot: Any, out: Path, who: str, saved: list[Path]) -> None:
    """The guide's story, key by key; a picture at each step the guide shows."""
    app = pilot.app

    async def shot(name: str) -> None:
        await _settle(pilot)
        await _capture(app, out, name, saved)

    async def keys(*pressed: str) -> None:
        await pilot.press(*pressed)
        await _settle(pilot)

    def expect(screen: str) -> None:
        shown = type(app.screen).__name__
        if shown != screen:
            raise ShotError(f"expected {screen} on top, got {shown}")

    await _settle(pilot)
    expect("PermanenceScreen")
    await keys("a")
    await _type(pilot, "Nadia")
    await shot("arrivee")
    await keys("enter")  # saved: Nadia joins the queue
    await shot("permanence")

    await keys("ctrl+n")
    await keys("space")  # notice given: on to the family name (the minimal intake)
    await _type(pilot, "Hébert")
    await keys("enter")
    await _type(pilot, "Nadia")
    await keys("enter")  # to the commune
    await _type(pilot, "herou")
    await keys("tab")  # Hérouville-Saint-Clair chosen: its QPV list opens
    await shot("accueil")
    await keys("escape")  # close the QPV list
    await keys("escape")  # leave the intake: "Abandonner cet accueil ?"
    if type(app.screen).__name__ == "ConfirmDialog":
        await keys("left", "enter")  # "Abandonner" (the focus starts on the safe answer)
    expect("PermanenceScreen")

    await keys("ctrl+f")
    await _type(pilot, _as_typed(who))  # as a hurried user types it: no accents, no capitals
    await shot("recherche")
    await keys("enter")
    await shot("fiche")
    await keys("escape")
    expect("PermanenceScreen")

    for key, name in (("f3", "taches"), ("f4", "bilan"), ("f5", "synchro")):
        await keys(key)
        await shot(name)
    await keys("f2")
    await keys("f1")
    await shot("aide")
    await keys("escape")
    expect("PermanenceScreen")
    await keys("c")
    await shot("cloture")
    await keys("escape")  # no: the permanence stays open
    expect("PermanenceScreen")


async def make_screenshots(out: Path, work: Path | None = None) -> list[Path]:
    """Write every picture of SHOTS into `out`; returns the files written.

    `work` is where the demo data folder goes (a temporary folder by default).
    """
    from citeslab_tui.ui.app import CitesLabApp

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="citeslab-docshots-") as tmp:
        folder = make_demo_folder(Path(work or tmp) / "donnees")
        who = _search_name(folder)
        app = CitesLabApp(str(folder), now=frozen_now)
        async with app.run_test(size=SIZE) as pilot:
            await _scenario(pilot, out, who, saved)
    return saved


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m citeslab_tui.ui.docshots",
        allow_abbrev=False,
        description="Regenerate the guide's screenshots (SVG) and key table from the app.",
    )
    parser.add_argument("images", nargs="?", default=str(IMAGES), help="output folder")
    parser.add_argument("--guide", default=str(GUIDE), help="guide whose key table is rewritten")
    parser.add_argument("--keys-only", action="store_true", help="only the key table")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the guide's key table is stale"
    )
    parser.add_argument(
        "--text", action="store_true", help="also write a .txt of each picture (to review them)"
    )
    args = parser.parse_args(argv)
    global TEXT_COPIES
    TEXT_COPIES = args.text
    guide = Path(args.guide)
    if not guide.is_file():
        parser.error(f"guide not found: {guide}")
    if args.check:
        stale = keys_block(guide.read_text(encoding="utf-8")) != key_table()
        print("key table: stale" if stale else "key table: up to date")
        return 1 if stale else 0
    print(f"key table: {'rewritten' if write_key_table(guide) else 'unchanged'} ({guide})")
    if not args.keys_only:
        for path in asyncio.run(make_screenshots(Path(args.images))):
            print(f"screenshot: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
