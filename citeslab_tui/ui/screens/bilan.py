"""The bilan screen (F4): the indicators of a period, the funnel as a bar chart,
the breakdowns of the people received; keys to change the period and the site,
compare with one year earlier, write the report (XLSX + PDF + CSV), export the data and record a collective action.

The figures are computed in a thread worker (`services.reports.bilan_for`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.reactive import var
from textual.widgets import Label, Static

from citeslab_tui.domain import bilan as bilan_domain
from citeslab_tui.domain.bilan import (
    BREAKDOWN_KEYS,
    BREAKDOWN_LABELS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    SHARE_KEYS,
    Bilan,
    Period,
    quality_lines,
)
from citeslab_tui.domain.text import format_int, format_percent
from citeslab_tui.resources import style_file
from citeslab_tui.ui.base import AppScreen, failure_message
from citeslab_tui.ui.widgets.footer import KeysFooter

PRESET_LABELS = {key: label for key, (label, _f) in bilan_domain.PRESETS.items()}
CUSTOM = "custom"
BAR_WIDTH = 40


def render_funnel(bilan: Bilan, width: int = BAR_WIDTH) -> Text:
    """The funnel as figures and bars drawn with block characters."""
    steps = bilan_domain.funnel(bilan)
    top = max(value for _label, value in steps)
    out = Text(no_wrap=True, overflow="ellipsis")
    for index, (label, value) in enumerate(steps):
        arrow = "→ " if 0 < index < 4 else "  "
        style = "bold green" if label == "Sorties positives" else "bold"
        out.append(f"{arrow}{label:<18}", style=style)
        out.append(f"{format_int(value):>7} ")
        out.append(bilan_domain.bar(value, top, width), style="cyan" if index < 4 else "green")
        out.append("\n")
    out.append("Sorties positives = retour à l'emploi ou entrée en formation.", style="italic")
    return out


def render_indicators(bilan: Bilan) -> Table:
    """The indicators; with a comparison, one year earlier and the change beside each."""
    previous = bilan.previous
    table = Table(show_header=previous is not None, box=None, padding=(0, 1), expand=False)
    # comparing at 80 columns: a long label is shortened, never a figure
    table.add_column(
        "Indicateur",
        no_wrap=True,
        overflow="ellipsis",
        max_width=None if previous is None else 36,
    )
    table.add_column("Nombre", justify="right", no_wrap=True, min_width=6)
    if previous is not None:
        table.add_column("Un an avant", justify="right", no_wrap=True, min_width=11)
        table.add_column("Évolution", justify="right", no_wrap=True, min_width=14)
    for key in INDICATOR_KEYS:
        label = INDICATOR_LABELS[key]
        if key.startswith("positive_exits_"):
            label = "   " + label
        cells = [Text(label), Text(format_int(bilan.indicators[key]))]
        if previous is not None:
            cells += [
                Text(format_int(previous.indicators[key]), style="dim"),
                Text(bilan_domain.change_label(bilan, key)),
            ]
        table.add_row(*cells)
        if key == "sensitized":
            table.add_row(
                Text(
                    f"   dont {format_int(bilan.sensitized_heads)} participants à "
                    f"{format_int(bilan.collective_actions)} action(s) collective(s)",
                    style="dim",
                ),
                *([Text("")] * (3 if previous is not None else 1)),
            )
    return table


def render_breakdown(bilan: Bilan, key: str) -> Table:
    with_share = key in SHARE_KEYS
    table = Table(title=BREAKDOWN_LABELS[key], title_justify="left", expand=False, box=None)
    table.add_column("", no_wrap=True, overflow="ellipsis", max_width=46)
    table.add_column("Nombre", justify="right", no_wrap=True)
    if with_share:
        table.add_column("Part", justify="right", no_wrap=True)
    shares = bilan.shares(key) if with_share else {}
    for value, count in bilan.breakdowns[key].items():
        cells = [Text(bilan_domain.value_label(value)), Text(format_int(count))]
        if with_share:
            share = shares.get(value)
            cells.append(
                Text(format_percent(share) if value in shares else "(non compté)", style="dim")
                if share is None
                else Text(format_percent(share))
            )
        table.add_row(*cells)
    return table


def render_quality(bilan: Bilan) -> Text:
    """The "Qualité des données" part: what the figures rest on, one line per fact."""
    out = Text()
    out.append("Qualité des données\n", style="bold")
    lines = quality_lines(bilan)
    for index, line in enumerate(lines):
        out.append("• ")
        out.append(line)  # may hold values typed by users: plain text, never markup
        if index < len(lines) - 1:
            out.append("\n")
    return out


class BilanScreen(AppScreen[None]):
    """Activity report of a period, for all sites or one."""

    HELP_TITLE = "Bilan"
    CSS_PATH = [str(style_file("bilan.tcss"))]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "preset('year')",
            "Cette année",
            id="bilan_current_year",
            tooltip="Année d'activité en cours (1er septembre – 31 août)",
        ),
        Binding(
            "p",
            "preset('previous_year')",
            "Année précéd.",
            id="bilan_previous_year",
            tooltip="Année d'activité précédente",
        ),
        Binding("m", "preset('month')", "Ce mois-ci", id="bilan_this_month", tooltip="Ce mois-ci"),
        Binding(
            "l",
            "preset('last_month')",
            "Mois dernier",
            id="bilan_last_month",
            tooltip="Le mois dernier",
        ),
        Binding(
            "d",
            "custom_period",
            "Dates…",
            id="bilan_dates",
            tooltip="Choisir les dates du bilan (jj/mm/aaaa)",
        ),
        Binding(
            "s", "choose_site", "Site…", id="bilan_site", tooltip="Un seul site, ou tous les sites"
        ),
        Binding(
            "v",
            "toggle_compare",
            "Comparer",
            id="bilan_compare",
            tooltip="Comparer avec les mêmes dates un an plus tôt (activer / désactiver)",
        ),
        Binding(
            "r",
            "write_report",
            "Rapport",
            id="bilan_write_report",
            tooltip="Écrire le bilan en Excel (XLSX), PDF (une page) et CSV dans un dossier",
        ),
        Binding(
            "x",
            "export_data",
            "Exporter",
            id="bilan_export",
            tooltip="Exporter les données pour le bureau (XLSX et CSV)",
        ),
        Binding(
            "c",
            "collective",
            "Action coll.",
            id="bilan_collective",
            tooltip="Enregistrer une action collective (réunion d'information, forum, atelier)",
        ),
    ]

    busy: var[bool] = var(False, init=False)
    """True while the figures are being computed (in a worker thread)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.preset_name = "year"
        self.period: Period | None = None
        self.site: str | None = None
        self.bilan: Bilan | None = None
        self.stale = False  # records changed since the figures were computed
        self.compare = False  # beside each indicator: the same dates one year earlier

    def compose(self) -> ComposeResult:
        yield Label("", id="bilan-title", markup=False)
        yield Label("", id="bilan-status", markup=False)
        with VerticalScroll(id="bilan-body", can_focus=True):
            yield Static(id="bilan-funnel")
            yield Static(id="bilan-indicators")
            for key in BREAKDOWN_KEYS:
                yield Static(id=f"bilan-{key}", classes="bilan-breakdown")
            yield Static(id="bilan-quality")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.period = bilan_domain.preset(self.preset_name, self.today)
        self.query_one("#bilan-body").focus()
        self.app.records_changed_signal.subscribe(self, self.records_changed)
        self.recompute()

    def records_changed(self, _lseq: int) -> None:
        """A save: compute again now if shown, else when shown again."""
        self.stale = True
        if self.is_active:
            self.recompute()

    def on_screen_resume(self) -> None:
        if self.stale and self.bilan is not None:
            self.recompute()

    def watch_busy(self, busy: bool) -> None:
        if busy:
            self.query_one("#bilan-status", Label).update("Calcul en cours…")

    # --- computing ---------------------------------------------------------------------

    def recompute(self) -> None:
        if not self.has_data or self.period is None:
            return
        self.stale = False
        self._draw_title()
        self.busy = True
        self._compute(self.period, self.site, self.compare)

    @work(thread=True, exclusive=True, group="bilan")
    def _compute(self, period: Period, site: str | None, compare: bool) -> None:
        from citeslab_tui.services.reports import bilan_for

        try:  # the records as they are now
            result = bilan_for(self.ws, period, site, compare=compare)
        except Exception as exc:  # never a traceback: the French reason on the status line
            self.app.call_from_thread(self._failed, failure_message(exc))
            return
        self.app.call_from_thread(self._show, result)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#bilan-status", Label).update(message)

    def _draw_title(self) -> None:
        assert self.period is not None
        site = self.site or "tous les sites"
        self.query_one("#bilan-title", Label).update(f"Bilan {self.period.label} · {site}")

    def _show(self, result: Bilan) -> None:
        self.busy = False
        if (
            result.period != self.period
            or (result.site or None) != (self.site or None)
            or (result.previous is not None) != self.compare
        ):
            return  # an older computation finished after a newer request
        changed = self.bilan is None or (self.bilan.period, self.bilan.site) != (
            result.period,
            result.site,
        )
        self.bilan = result
        self._draw_title()
        if changed:
            self.query_one("#bilan-body", VerticalScroll).scroll_home(animate=False)
        received = result.indicators["received"]
        what = PRESET_LABELS.get(self.preset_name, "Période choisie")
        self.query_one("#bilan-status", Label).update(
            f"{what} · {format_int(received)} reçu(s) · ↑ ↓ Page suiv./préc. : défiler"
        )
        self.query_one("#bilan-funnel", Static).update(render_funnel(result))
        self.query_one("#bilan-indicators", Static).update(render_indicators(result))
        for key in BREAKDOWN_KEYS:
            self.query_one(f"#bilan-{key}", Static).update(render_breakdown(result, key))
        self.query_one("#bilan-quality", Static).update(render_quality(result))

    # --- period and site -----------------------------------------------------------------

    def action_preset(self, name: str) -> None:
        self.preset_name = name
        self.period = bilan_domain.preset(name, self.today)
        self.recompute()

    def action_toggle_compare(self) -> None:
        self.compare = not self.compare
        self.notify(
            "Comparaison avec les mêmes dates un an plus tôt."
            if self.compare
            else "Comparaison retirée."
        )
        self.recompute()

    def action_custom_period(self) -> None:
        from citeslab_tui.ui.dialogs.bilan_period import BilanPeriodDialog

        assert self.period is not None

        def chosen(period: Period | None) -> None:
            if period is not None:
                self.preset_name = CUSTOM
                self.period = period
                self.recompute()

        self.app.push_screen(BilanPeriodDialog(self.period), chosen)

    def action_choose_site(self) -> None:
        from citeslab_tui.services.reports import known_sites
        from citeslab_tui.ui.dialogs.bilan_site import BilanSiteDialog

        def chosen(site: str | None) -> None:
            if site is not None:
                self.site = site or None
                self.recompute()

        self.app.push_screen(BilanSiteDialog(known_sites(self.ws), self.site), chosen)

    # --- writing ----------------------------------------------------------------------

    def _message(self, title: str, text: str) -> None:
        self.app.show_message(title, text)

    def action_write_report(self) -> None:
        from citeslab_tui.services.reports import default_folder
        from citeslab_tui.ui.dialogs.bilan_folder import BilanFolderDialog

        if self.bilan is None:
            self.notify("Le bilan est en cours de calcul.", severity="warning")
            return
        bilan = self.bilan

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self._write_report(bilan, folder)

        self.app.push_screen(
            BilanFolderDialog(
                "Écrire le bilan en Excel (XLSX), en PDF et en CSV", default_folder(self.ws)
            ),
            chosen,
        )

    @work(thread=True, group="bilan_write")
    def _write_report(self, bilan: Bilan, folder: Path) -> None:
        from citeslab_tui.services.reports import write_report_files

        try:
            paths = write_report_files(bilan, folder)
        except Exception as exc:  # refused in French, or unexpected (logged)
            self.app.call_from_thread(self._message, "Bilan non écrit", failure_message(exc))
            return
        self.app.call_from_thread(
            self._message, "Bilan écrit", "Fichiers écrits :\n" + "\n".join(map(str, paths))
        )

    def action_export_data(self) -> None:
        from citeslab_tui.services.reports import default_folder
        from citeslab_tui.ui.dialogs.bilan_folder import BilanFolderDialog

        def chosen(folder: Path | None) -> None:
            if folder is not None:
                self._export(folder)

        self.app.push_screen(
            BilanFolderDialog(
                "Exporter les données (personnes, entretiens, tâches, issues…) "
                "en XLSX et CSV — fichiers personnels, à protéger",
                default_folder(self.ws),
            ),
            chosen,
        )

    @work(thread=True, group="bilan_write")
    def _export(self, folder: Path) -> None:
        from citeslab_tui.services import exports
        from citeslab_tui.services.reports import now_stamp

        name = f"citeslab-export-{now_stamp()}"
        try:
            written = exports.export(self.ws, "xlsx", folder / f"{name}.xlsx")
            written += exports.export(self.ws, "csv", folder / name)
        except Exception as exc:  # refused in French, or unexpected (logged)
            self.app.call_from_thread(self._message, "Export non écrit", failure_message(exc))
            return
        self.app.call_from_thread(
            self._message,
            "Export écrit",
            f"Classeur : {written[0]}\nFichiers CSV dans : {folder / name}",
        )

    def action_collective(self) -> None:
        from citeslab_tui.ui.dialogs.collective import CollectiveDialog

        def saved(action: object) -> None:
            if action is not None:  # the figures are computed again (records changed)
                self.notify("Action collective enregistrée.")

        site = self.site or self.ws.settings.last_site
        self.app.push_screen(CollectiveDialog(site=site), saved)
