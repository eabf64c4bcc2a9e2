"""CLI commands and their renderers; `leankanban.cli` wires them into one Typer app."""
