"""Console entry point: ``ladderdesk`` (GUI) and ``ladderdesk <command>`` (CLI)."""

from __future__ import annotations

import sys

CLI_COMMANDS = {"analytics", "import", "data", "optimize", "scenarios"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in CLI_COMMANDS:
        from desktop.cli import main as cli_main

        return cli_main(argv)
    from desktop.views.main import run_gui

    return run_gui(argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
