"""The quarterly report pack for the IJB / Quarterly Performance Service Review (issue 11, SPEC 7.3).

`build_pack` gathers the content (every table through exports.disclosure), `render_charts` draws the
charts (kaleido + Chromium, or leaves them out and says why), `pack_docx` and `pack_xlsx` write the Word
pack and its Excel annex.
"""

from exports.pack.annex import pack_xlsx
from exports.pack.content import MeasureSection, Pack, PackInputs, build_pack, quarter_end
from exports.pack.images import ChartImages, render_charts
from exports.pack.word import pack_docx

__all__ = [
    "ChartImages",
    "MeasureSection",
    "Pack",
    "PackInputs",
    "build_pack",
    "pack_docx",
    "pack_xlsx",
    "quarter_end",
    "render_charts",
]
