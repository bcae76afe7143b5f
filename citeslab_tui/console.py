"""What the CLI prints: safe for any terminal, in any console encoding.

`citeslab SUBCOMMAND` replaces `sys.stdout` and `sys.stderr` by a `ConsoleStream`
for the time of the command (`cli.main`), so every string printed by any command,
argparse's help and errors included, goes through the same two steps:

1. `domain.text.visible`: control characters and bidi overrides are shown visibly
   (a name `hostile\\x1b[2J` from a sync bundle prints as `hostile␛[2J`: it can
   neither clear the screen nor reorder the line);
2. encoding for the console's code page: on Windows a redirected or old console is
   often cp1252 or cp850 (`citeslab report > bilan.txt` in PowerShell). A character
   the code page cannot show is replaced by a close equivalent (`–` -> `-`,
   `œ` -> `oe`, narrow no-break space -> space, `␛` -> `^[`), else `?`: a
   command never stops with UnicodeEncodeError.

Bytes written to `.buffer` (JSON, CSV and XLSX sent to stdout by `report`) are
data and pass unchanged.
"""

from __future__ import annotations

import codecs
import io
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from citeslab_tui.domain.text import visible

ERRORS = "citeslab-console"

# Characters the app prints that cp1252 or cp850 may lack, and what to show instead.
FALLBACKS = {
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u0153": "oe",
    "\u0152": "OE",
    "\u20ac": "EUR",
    "\u2713": "v",
    "\u2714": "v",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2191": "^",
    "\u2193": "v",
    "\u2022": "*",
    "\u00b7": ".",
    "\u2421": "^?",
    "\u0141": "L",
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0131": "i",
}
for _block in "█▉▊▋▌▍▎▏▇▆▅▄▃▂▁":
    FALLBACKS[_block] = "#"
for _code in range(0x20):  # control pictures (from visible): caret notation
    FALLBACKS[chr(0x2400 + _code)] = "^" + chr(0x40 + _code)


def _replacement(char: str, encoding: str) -> str:
    if char in FALLBACKS:
        candidate = FALLBACKS[char]
    else:  # accents the code page lacks: the base letter (ő -> o), else "?"
        candidate = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
    try:
        candidate.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "?"
    return candidate or "?"


def _console_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_replacement(c, exc.encoding) for c in bad), exc.end


codecs.register_error(ERRORS, _console_errors)


def encodable(text: str, encoding: str | None) -> str:
    """`text` with what `encoding` cannot represent replaced (see FALLBACKS)."""
    if not encoding:
        return text
    try:
        codecs.lookup(encoding)
    except LookupError:
        return text
    return text.encode(encoding, ERRORS).decode(encoding)


class ConsoleStream(io.TextIOBase):
    """A text stream writing `visible(encodable(text))` to the stream it wraps."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self.target = target
        self._encoding = getattr(target, "encoding", None) or "utf-8"

    # Typeshed declares a text stream's encoding and errors as writable attributes;
    # here, as on io.TextIOWrapper, they are read-only: setting one raises.
    @property
    def encoding(self) -> str:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str) -> None:
        raise AttributeError("ConsoleStream.encoding is read-only")

    @property
    def errors(self) -> str:
        return ERRORS

    @errors.setter
    def errors(self, value: str | None) -> None:
        raise AttributeError("ConsoleStream.errors is read-only")

    @property
    def buffer(self) -> Any:
        return self.target.buffer

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self.target, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self.target.fileno()

    def write(self, text: str) -> int:
        self.target.write(encodable(visible(text), self._encoding))
        return len(text)

    def flush(self) -> None:
        self.target.flush()


@contextmanager
def safe_console() -> Iterator[None]:
    """sys.stdout and sys.stderr wrapped in ConsoleStream for the duration."""
    saved = sys.stdout, sys.stderr
    if sys.stdout is not None and not isinstance(sys.stdout, ConsoleStream):
        sys.stdout = ConsoleStream(sys.stdout)
    if sys.stderr is not None and not isinstance(sys.stderr, ConsoleStream):
        sys.stderr = ConsoleStream(sys.stderr)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            if stream is None:  # no console at all (pythonw)
                continue
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved
