"""Hostile user text, the same on every surface's test, and the check that output is harmless.

A title may try to set the terminal's title or clipboard (OSC 0 / OSC 52, ended
by BEL or by ESC-backslash), colour or wipe the screen (CSI, also as the
one-byte C1 `\\x9b`), reorder what is read (bidi override), hide itself (a
zero-width space, a soft hyphen) or smuggle Rich markup. Whatever the surface,
none of it may reach the output raw: it shows as visible escapes instead.
"""

from __future__ import annotations

import re

OSC_TITLE = "Acme\x1b]0;pwned\x07 \x1b[31mred"
OSC_CLIPBOARD = "Clip\x1b]52;c;cHduZWQ=\x07"
OSC_ST = "Tail\x1b]0;x\x1b\\"
WIPE = "Wipe\x1b[2J"
C1_CSI = "Cone\x9b31m"
BIDI = "Bidi\u202eevil"
ZERO_WIDTH = "Zero\u200bwidth"
SOFT_HYPHEN = "Soft\u00adhyphen"
MARKUP = "[bold red]x[/]"

HOSTILE = (OSC_TITLE, OSC_CLIPBOARD, OSC_ST, WIPE, C1_CSI, BIDI, ZERO_WIDTH, SOFT_HYPHEN, MARKUP)

#: How each hostile string reads once made visible (what the output must contain).
SHOWN = {
    OSC_TITLE: "Acme\\x1b]0;pwned\\x07 \\x1b[31mred",
    OSC_CLIPBOARD: "Clip\\x1b]52;c;cHduZWQ=\\x07",
    OSC_ST: "Tail\\x1b]0;x\\x1b\\",
    WIPE: "Wipe\\x1b[2J",
    C1_CSI: "Cone\\x9b31m",
    BIDI: "Bidi\\u202eevil",
    ZERO_WIDTH: "Zero\\u200bwidth",
    SOFT_HYPHEN: "Soft\\xadhyphen",
    MARKUP: "[bold red]x[/]",
}

#: Raw characters that must never reach the output: C0 controls (bar line breaks), DEL,
#: C1, the soft hyphen, zero-width and bidi characters, separators, the BOM.
RAW_DANGER = re.compile(
    "[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\r(?!\n)"
)


def assert_harmless(output: str) -> None:
    """No raw escape, control, C1, bidi or zero-width character anywhere in `output`."""
    found = RAW_DANGER.search(output)
    assert found is None, f"raw {found.group()!r} at {found.start()} in {output!r}"


def assert_shown(output: str, *raws: str) -> None:
    """`output` is harmless and shows each of `raws` as its visible form (not dropped, not obeyed)."""
    assert_harmless(output)
    for raw in raws or HOSTILE:
        assert SHOWN[raw] in output, f"{SHOWN[raw]!r} not in {output!r}"
