"""argparse speaking French: usage, errors and help headings.

argparse looks its messages up through `gettext`; we give it a French catalogue.
Errors print the usage in French and exit 2, with an "Aide" line naming the help of
the (sub)command where the error is. Options must be written in full (no
abbreviation: `--ful` is not taken for `--full`), and an unknown option is named
("option inconnue : --data-dri") by the parser it was given to, before argparse
would take the next word for a command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

_FR = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (possibles : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "invalid %(type)s value: %(value)r": "valeur invalide : %(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s (possibles : %(matches)s)",
    "one of the arguments %s is required": "un des arguments %s est obligatoire",
    "show program's version number and exit": "afficher la version et quitter",
    "commands": "commandes",
    "ignored explicit argument %r": "cette option ne prend pas de valeur (%r)",
}


def _french(message: str) -> str:
    return _FR.get(message, message)


def _french_plural(singular: str, plural: str, n: int) -> str:
    return _french(singular if n == 1 else plural)


# argparse calls the module-level names `_` and `ngettext` it imported from gettext:
# replaced here (they are not part of argparse's declared interface, hence setattr).
setattr(argparse, "_", _french)  # noqa: B010
setattr(argparse, "ngettext", _french_plural)  # noqa: B010


def _is_option(token: str) -> bool:
    """A word that argparse would read as an option (not "-", not a negative number)."""
    if not token.startswith("-") or token == "-":
        return False
    try:
        float(token)
    except ValueError:
        return True
    return False


class FrenchParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # ArgumentParser's own arguments
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def check_options(self, words: Sequence[str]) -> None:
        """Refuse the first unknown option of the command line `words`, naming it, from
        the parser (or subcommand's parser) it was given to. Call before `parse_args`."""
        known = self._option_string_actions
        commands: dict[str, argparse.ArgumentParser] = {}
        for declared in self._actions:
            if isinstance(declared, argparse._SubParsersAction):
                commands = dict(declared.choices)
        i = 0
        while i < len(words):
            word = words[i]
            i += 1
            if word == "--":
                return
            if _is_option(word):
                name = word.split("=", 1)[0] if word.startswith("--") else word
                action = known.get(name)
                if action is None:
                    self.error(f"option inconnue : {name}")
                if "=" not in word and action.nargs in (None, 1):
                    i += 1  # its value
                continue
            sub = commands.get(word)
            if isinstance(sub, FrenchParser):
                sub.check_options(words[i:])
                return

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\nAide : {self.prog} --help\n")
