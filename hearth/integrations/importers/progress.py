"""A text progress bar for long imports: redrawn in place on a terminal, printed once elsewhere."""

import time
from typing import TextIO

from django.core.management.base import OutputWrapper

BAR_WIDTH = 20
LABEL_WIDTH = 14
REDRAW_SECONDS = 0.1


class Progress:
    """`Posts.xml      [##########----------]  1,050/2,106`.

    With `live`, the bar is redrawn in place (at most every REDRAW_SECONDS) for a terminal;
    otherwise only the finished bar is printed, so logs and captured output stay short.
    `total` may be a byte count while `done` counts rows (`fraction` then says how far).
    """

    def __init__(self, out: TextIO | None, label: str, total: int, *, live: bool, unit: str = ""):
        self.out = out
        self.label = label
        self.total = total
        self.live = live and out is not None
        self.unit = unit
        self.done = 0
        self._drawn_at = 0.0

    def advance(self, count: int = 1, *, fraction: float | None = None) -> None:
        self.done += count
        if not self.live:
            return
        now = time.monotonic()
        if now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self._draw(fraction, end="\r")

    def finish(self) -> None:
        if self.out is not None:
            self._draw(1.0, end="\n")

    def _draw(self, fraction: float | None, *, end: str) -> None:
        if fraction is None:
            fraction = self.done / self.total if self.total else 1.0
        fraction = min(max(fraction, 0.0), 1.0)
        filled = round(BAR_WIDTH * fraction)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        count = f"{self.done:,} {self.unit}" if self.unit else f"{self.done:,}/{self.total:,}"
        line = f"{self.label:<{LABEL_WIDTH}} [{bar}] {count:>13}{end}"
        if isinstance(self.out, OutputWrapper):
            # A command's stdout would end every write with a newline of its own.
            self.out.write(line, ending="")
        else:
            self.out.write(line)
        self.out.flush()
