"""argparse speaking French: usage, errors and help headings.

argparse looks its messages up through `gettext`; we give it a French catalogue.
Errors print the usage in French and exit 2.
"""

from __future__ import annotations

import argparse
import sys
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
}


def _french(message: str) -> str:
    return _FR.get(message, message)


def _french_plural(singular: str, plural: str, n: int) -> str:
    return _french(singular if n == 1 else plural)


# argparse calls the module-level names `_` and `ngettext` it imported from gettext:
# replaced here (they are not part of argparse's declared interface, hence setattr).
setattr(argparse, "_", _french)  # noqa: B010
setattr(argparse, "ngettext", _french_plural)  # noqa: B010


class FrenchParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # ArgumentParser's own arguments
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\nAide : {self.prog} --help\n")
