"""The pack's charts as PNG images, drawn from the same plotly figures the pages show, by kaleido.

Kaleido 1.x drives a Chrome/Chromium through choreographer, which looks for the browser at
$BROWSER_PATH, else on PATH. The project uses Debian's /usr/bin/chromium (the browser tests' too), so
that is where we look when BROWSER_PATH is not set. Without a browser, or if drawing fails, the pack is
still built, with its tables, and says the charts were left out and why.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import shutil
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import plotly.graph_objects as go

DEBIAN_CHROMIUM = "/usr/bin/chromium"
IMAGE_WIDTH = 900
IMAGE_HEIGHT = 500
RENDER_TIMEOUT_SECONDS = 60
# A browser that starts but never answers (seen once in CI: kaleido waited on Chromium for good) must not
# hold the pack, a test or a page for ever: its start and each chart have a deadline, and a session that
# misses one is given up, the charts drawn once more by a fresh browser.
START_TIMEOUT_SECONDS = 30
CHART_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class ChartImages:
    """PNG bytes per key; `left_out` says why there are none (empty when the charts were drawn)."""

    images: Mapping[str, bytes] = field(default_factory=dict)
    left_out: str = ""


def browser_path() -> str | None:
    """The browser kaleido will drive: $BROWSER_PATH, else Debian's Chromium, else one on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium") or shutil.which("google-chrome")


NO_BROWSER = "no browser was found to draw them (install chromium, or set BROWSER_PATH)"


class ChartSession:
    """A browser started at once in a background thread, to draw the charts when they are ready.

    The command line starts one before reading the store, so Chromium's start (about two seconds)
    overlaps the reading; `render_charts` starts one and uses it straight away. `render` can be called
    once; `close` ends a session that was never used. Nothing here raises: a browser that will not start
    or a drawing that fails leaves the charts out, with the reason.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[dict[str, go.Figure] | None] = queue.Queue()
        self._results: queue.Queue[dict[str, bytes] | BaseException] = queue.Queue()
        self._browser = browser_path()
        self._thread: threading.Thread | None = None
        if self._browser is not None:
            self._thread = threading.Thread(target=self._run, name="pack-charts", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._results.put(asyncio.run(self._serve()))
        except BaseException as error:  # reported to render(), never lost in the thread
            self._results.put(error)

    async def _serve(self) -> dict[str, bytes]:
        import kaleido

        options = {"format": "png", "width": IMAGE_WIDTH, "height": IMAGE_HEIGHT}
        async with contextlib.AsyncExitStack() as stack:
            async with asyncio.timeout(START_TIMEOUT_SECONDS):
                # mathjax off: it would be fetched from the internet, and no chart here writes mathematics.
                renderer = await stack.enter_async_context(
                    kaleido.Kaleido(n=1, mathjax=False, path=self._browser, timeout=RENDER_TIMEOUT_SECONDS)
                )
            figures = await asyncio.get_running_loop().run_in_executor(None, self._jobs.get)
            if figures is None:
                return {}
            return {
                key: await asyncio.wait_for(renderer.calc_fig(figure, opts=options), CHART_TIMEOUT_SECONDS)
                for key, figure in figures.items()
            }

    def render(self, figures: Mapping[str, go.Figure], *, again: bool = True) -> ChartImages:
        """Every figure as a PNG, or none and the reason. A browser that missed a deadline is given up
        and, when `again`, the charts are drawn once more by a fresh one."""
        if self._thread is None:
            return ChartImages(left_out=NO_BROWSER)
        if not figures:
            self.close()
            return ChartImages()
        self._jobs.put(dict(figures))
        # Every wait in the thread has a deadline; this one only guards against a browser that will not
        # even close (the thread is a daemon: it cannot keep the process alive).
        limit = START_TIMEOUT_SECONDS + CHART_TIMEOUT_SECONDS * len(figures) + 30
        try:
            result: dict[str, bytes] | BaseException = self._results.get(timeout=limit)
        except queue.Empty:
            result = TimeoutError()
        else:
            self._thread.join()
        self._thread = None
        if isinstance(result, TimeoutError) and again:
            return ChartSession().render(figures, again=False)
        if isinstance(result, BaseException):
            return ChartImages(left_out=f"the browser could not draw them ({type(result).__name__})")
        return ChartImages(images=result)

    def close(self) -> None:
        """End the browser without drawing (an error before the charts were ready)."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None


def render_charts(figures: Mapping[str, go.Figure]) -> ChartImages:
    """Every figure as a PNG in one browser session, or none and the reason (never an exception)."""
    if not figures:
        return ChartImages()
    return ChartSession().render(figures)
