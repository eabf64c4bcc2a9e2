"""Stand-up reports: a pure report model and its renderers (JSON, Markdown, CSV, text).

The JSON schema is documented in SCHEMA.md next to this file.
"""
