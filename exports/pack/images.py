"""The pack's charts as PNG images, drawn from the same plotly figures the pages show, by kaleido.

Kaleido 1.x drives a Chrome/Chromium through choreographer, which looks for the browser at
$BROWSER_PATH, else on PATH. The project uses Debian's /usr/bin/chromium (the browser tests' too), so
that is where we look when BROWSER_PATH is not set. Without a browser, or if drawing fails, the pack is
still built, with its tables, and says the charts were left out and why.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field

import plotly.graph_objects as go

DEBIAN_CHROMIUM = "/usr/bin/chromium"
IMAGE_WIDTH = 900
IMAGE_HEIGHT = 500
RENDER_TIMEOUT_SECONDS = 60


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


async def _render(figures: Mapping[str, go.Figure], browser: str) -> dict[str, bytes]:
    import kaleido

    options = {"format": "png", "width": IMAGE_WIDTH, "height": IMAGE_HEIGHT}
    # mathjax off: it would be fetched from the internet, and no chart here writes mathematics.
    async with kaleido.Kaleido(n=1, mathjax=False, path=browser, timeout=RENDER_TIMEOUT_SECONDS) as renderer:
        return {key: await renderer.calc_fig(figure, opts=options) for key, figure in figures.items()}


def render_charts(figures: Mapping[str, go.Figure]) -> ChartImages:
    """Every figure as a PNG in one browser session, or none and the reason (never an exception)."""
    if not figures:
        return ChartImages()
    browser = browser_path()
    if browser is None:
        return ChartImages(
            left_out="no browser was found to draw them (install chromium, or set BROWSER_PATH)"
        )
    try:
        return ChartImages(images=asyncio.run(_render(figures, browser)))
    except Exception as error:  # a browser that will not start or a drawing that fails: tables still go out
        return ChartImages(left_out=f"the browser could not draw them ({type(error).__name__})")
