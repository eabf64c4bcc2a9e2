"""leankanban: a keyboard-first terminal Kanban for lean B2B sales teams."""

__version__ = "0.1.0"
