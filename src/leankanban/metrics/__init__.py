"""Flow and sales metrics: pure functions over stages, deals and events.

No I/O, no database, no UI: stdlib only (NumPy, imported lazily, only speeds up
big Monte Carlo forecasts), so `leankanban report` stays cheap.
Start with `flow.timelines(stages, deals, events, now=...)`; every other
metric reads those timelines. Definitions are in DEFINITIONS.md next to
this file.
"""
