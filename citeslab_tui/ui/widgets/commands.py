"""Command palette (Ctrl+P) provider: every key of the screen and the app, searched
without accents or case ("clot" finds "Clôturer la permanence")."""

from __future__ import annotations

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from citeslab_tui.domain.text import fold


class KeyCommands(Provider):
    def _commands(self) -> list:
        return list(self.app.get_system_commands(self.screen))

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(Text(command.title), command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(fold(query))
        for command in self._commands():
            score = matcher.match(fold(command.title))
            if score > 0:
                yield Hit(score, Text(command.title), command.callback, help=command.help)
