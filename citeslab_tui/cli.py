"""The `citeslab` command: the terminal app, and subcommands for the office."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from citeslab_tui import __version__
from citeslab_tui.domain.errors import CitesLabError
from citeslab_tui.french_argparse import FrenchParser

# One module per area under citeslab_tui/commands/; each registers its subcommands.
COMMAND_MODULES = ("setup", "privacy", "reports", "agenda", "sync", "keys")

DESCRIPTION = """\
CitésLab : accueil des porteurs de projet, permanences, suivi et bilan.

Sans commande, ouvre l'application (clavier seul, F1 pour l'aide).
Exemples :
  citeslab                                  ouvrir l'application
  citeslab init --structure "Mife du Calvados" --staff "Céline" --device "portable-1"
  citeslab check                            vérifier la base de données
"""


def build_parser() -> FrenchParser:
    parser = FrenchParser(prog="citeslab", description=DESCRIPTION)
    parser.add_argument(
        "--version",
        action="version",
        version=f"citeslab {__version__}",
        help="afficher la version et quitter",
    )
    parser.add_argument(
        "--data-dir",
        metavar="DOSSIER",
        help="dossier des données (sinon $CITESLAB_DATA_DIR, sinon le dossier utilisateur)",
    )
    sub = parser.add_subparsers(dest="command", title="commandes", metavar="COMMANDE")
    for name in COMMAND_MODULES:
        importlib.import_module(f"citeslab_tui.commands.{name}").register(sub)
    return parser


def _app_only(argv: Sequence[str]) -> argparse.Namespace | None:
    """`citeslab` or `citeslab --data-dir D`: the app, without building every
    subcommand's parser nor importing logging first (start-up speed)."""
    if not argv:
        return argparse.Namespace(command=None, data_dir=None)
    if len(argv) == 2 and argv[0] == "--data-dir" and argv[1] and not argv[1].startswith("-"):
        return argparse.Namespace(command=None, data_dir=argv[1])
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _app_only(argv)
    if args is not None:  # the app sets up logging after its first paint
        return _run(args)
    from citeslab_tui.console import safe_console

    broken_pipe: list[bool] = []
    # every string a subcommand prints (its help included) is made visible and
    # encodable for the console's code page (console.py)
    with safe_console():
        parser = build_parser()
        parser.check_options(argv)
        code = _run(parser.parse_args(argv), broken_pipe)
    if broken_pipe:  # output piped into `head` or a pager that closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
    return code


def _run(args: argparse.Namespace, broken_pipe: list[bool] | None = None) -> int:
    try:
        if args.command is None:
            from citeslab_tui.ui.run import run_app

            return run_app(args.data_dir)
        from citeslab_tui.logs import setup_logging

        setup_logging(args.data_dir)
        return int(args.handler(args))
    except CitesLabError as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        if broken_pipe is not None:
            broken_pipe.append(True)
        return 0
    except Exception as exc:  # never a traceback for the user; details go to the log
        from citeslab_tui.logs import log_unexpected

        log_unexpected(exc)
        print(
            "Erreur inattendue : l'opération n'a pas abouti ; ce qui avait été confirmé "
            "est conservé. Le détail technique est dans le journal (dossier logs).",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
