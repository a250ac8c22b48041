"""Console entry point: ``ladderdesk`` (the window) and ``ladderdesk <command>`` (the CLI)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from desktop.cli import COMMANDS

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        from desktop.cli import main as cli_main

        return cli_main(argv)
    from desktop.views.main import run_gui

    return run_gui(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
