"""Command palette (Ctrl+P) provider: every key of the screen and the app, searched
without accents or case ("clot" finds "Clôturer la permanence")."""

from __future__ import annotations

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from citeslab_tui.domain.text import fold

NO_MATCH = "Aucune commande trouvée"
NO_MATCH_HELP = "Effacez quelques lettres, ou F1 pour la liste de toutes les touches"


class KeyCommands(Provider):
    def _commands(self) -> list:
        return list(self.app.get_system_commands(self.screen))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(Text(command.title), command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(fold(query))
        found = False
        for command in self._commands():
            score = matcher.match(fold(command.title))
            if score > 0:
                found = True
                yield Hit(score, Text(command.title), command.callback, help=command.help)
        if not found:  # instead of Textual's English "No matches found"
            yield Hit(0.0, Text(NO_MATCH, style="dim"), lambda: None, help=NO_MATCH_HELP)
