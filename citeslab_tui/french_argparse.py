"""argparse speaking French: usage, errors and help headings.

argparse looks its messages up through `gettext`; we give it a French catalogue.
Errors print the usage in French and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

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


argparse._ = _french  # type: ignore[attr-defined]
argparse.ngettext = lambda s, p, n: _french(s if n == 1 else p)  # type: ignore[assignment]


class FrenchParser(argparse.ArgumentParser):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {message}\nAide : {self.prog} --help\n")
