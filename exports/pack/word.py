"""The quarterly report pack as a Word document (python-docx), in the IJB cover-report template.

Purpose, recommendations, background, the report (executive summary, a page per measure, the action
plan, audit grades, data quality, the disclosure control applied), implications and directions, each
heading numbered as IJB papers are. Councils edit the result in Word before the meeting, so it uses
plain built-in styles only. Every table is checked by `exports.disclosure.verify` first: a pack with an
unsafe cell is refused, not written.
"""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt

from exports.disclosure import verify
from exports.pack.cells import text_frame
from exports.pack.content import Pack, quarter_end
from exports.pack.images import ChartImages
from exports.pack.statement import disclosure_statement
from measures.pack_texts import PACK_HEADER_FIELDS, PACK_IMPLICATIONS

TABLE_STYLE = "Table Grid"
MARGIN = Cm(1.8)
PAGE_WIDTH = Cm(21.0 - 2 * 1.8)  # A4 less the margins
CHART_WIDTH = PAGE_WIDTH


def subject(pack: Pack) -> str:
    return f"Justice social work: quarterly performance report, {pack.inputs.quarter}"


def _table(
    document: DocumentType,
    frame: pd.DataFrame,
    font_size: float = 8.5,
    *,
    header: bool = True,
    first: float = 0.25,
) -> None:
    """A plain grid: a bold heading row (unless `header` is False), the first column `first` of the width."""
    table = document.add_table(rows=1 if header else 0, cols=len(frame.columns))
    table.style = TABLE_STYLE
    table.autofit = False
    if header:
        for cell, heading in zip(table.rows[0].cells, frame.columns, strict=True):
            cell.text = str(heading)
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    others = (1 - first) / max(len(frame.columns) - 1, 1)
    widths = [PAGE_WIDTH * first, *([PAGE_WIDTH * others] * (len(frame.columns) - 1))]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = int(width)  # the grid LibreOffice reads; Word reads the cells' widths below
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = int(width)
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(font_size)


def _paragraphs(document: DocumentType, text: str) -> None:
    for paragraph in [part.strip() for part in text.split("\n\n")] or [""]:
        if paragraph:
            document.add_paragraph(paragraph)


def _header_block(document: DocumentType, pack: Pack) -> None:
    rows = [(label, pack.texts.get(key, "")) for key, label in PACK_HEADER_FIELDS]
    rows.insert(1, ("Date", f"{pack.inputs.produced_at:%d/%m/%Y}"))
    rows.append(("Subject", subject(pack)))
    _table(document, pd.DataFrame(rows, columns=["", ""]), font_size=10, header=False, first=0.3)


def _section(document: DocumentType, number: str, title: str, text: str) -> None:
    document.add_heading(f"{number} {title}", level=1)
    _paragraphs(document, text)


def _measure_page(document: DocumentType, pack: Pack, index: int, images: ChartImages) -> None:
    section = pack.sections[index]
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(f"4.{index + 2} {section.title}", level=2)
    image = images.images.get(section.measure)
    if image is not None:
        document.add_picture(io.BytesIO(image), width=CHART_WIDTH)
    elif section.figure is not None and images.left_out:
        document.add_paragraph(f"Chart left out: {images.left_out}.")
    if section.chart_note:
        document.add_paragraph(section.chart_note).runs[0].italic = True
    document.add_heading("What the figures say", level=3)
    _paragraphs(document, section.narrative)
    document.add_heading("By quarter", level=3)
    _table(document, text_frame(section.quarterly))
    document.add_heading("By team", level=3)
    if section.teams is not None:
        _table(document, text_frame(section.teams))
    else:
        document.add_paragraph(section.team_note)


def _tables_checked(pack: Pack) -> None:
    for table in pack.tables:
        verify(table)


def pack_docx(pack: Pack, images: ChartImages) -> bytes:
    """The Word pack. DisclosureError (nothing written) if any table would publish an unsafe cell."""
    _tables_checked(pack)
    inputs = pack.inputs
    document = Document()
    for part in document.sections:
        part.page_width, part.page_height = Cm(21.0), Cm(29.7)
        part.left_margin = part.right_margin = part.top_margin = part.bottom_margin = MARGIN
    document.core_properties.title = subject(pack)
    document.core_properties.author = inputs.produced_by
    document.add_heading(subject(pack), level=0)
    _header_block(document, pack)
    _section(document, "1", "Purpose", pack.texts.get("purpose", ""))
    _section(document, "2", "Recommendations", pack.texts.get("recommendations", ""))
    _section(document, "3", "Background", pack.texts.get("background", ""))
    document.add_heading("4 The report", level=1)
    document.add_heading("4.1 Executive summary", level=2)
    document.add_paragraph(
        f"Each measure in {inputs.quarter} (to {quarter_end(inputs.quarter):%d/%m/%Y}), figures as at "
        f"{inputs.as_at:%d/%m/%Y}: the rate this quarter and last, the change in percentage points, the "
        "target in force and its RAG rating; variation and assurance are NHS England's Making Data Count "
        "icons from each measure's monthly SPC chart. 'c' marks a figure withheld by disclosure control."
    )
    _table(document, text_frame(pack.summary), font_size=7.5, first=0.17)
    if images.left_out:
        document.add_paragraph(f"The charts were left out of this pack: {images.left_out}.")
    for index in range(len(pack.sections)):
        _measure_page(document, pack, index, images)
    number = len(pack.sections) + 2
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(f"4.{number} Improvement action plan", level=2)
    if pack.actions is not None and not pack.actions.empty:
        _table(document, _action_text(pack.actions), font_size=7.5, first=0.35)
    elif pack.actions is not None:
        document.add_paragraph("The action plan holds no actions.")
    for note in pack.omitted:
        document.add_paragraph(note)
    document.add_heading(f"4.{number + 1} Case-file audit grades", level=2)
    document.add_paragraph(
        "Audits per grade, by the quarter of the audit date (Care Inspectorate six-point scale)."
    )
    _table(document, text_frame(pack.grades))
    document.add_heading(f"4.{number + 2} Data quality", level=2)
    _table(document, text_frame(pack.data_quality))
    for note in pack.notes:
        document.add_paragraph(note, style="List Bullet")
    document.add_heading(f"4.{number + 3} Disclosure control", level=2)
    _paragraphs(document, disclosure_statement(pack))
    document.add_heading("5 Implications", level=1)
    for index, (key, label) in enumerate(PACK_IMPLICATIONS[:-1], start=1):
        document.add_heading(f"5.{index} {label}", level=2)
        _paragraphs(document, pack.texts.get(key, ""))
    _section(document, "6", "Directions", pack.texts.get("directions", ""))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _action_text(actions: pd.DataFrame) -> pd.DataFrame:
    frame = actions[["Action", "Status", "Due", "Overdue", "Owner", "Completed on"]].copy()
    for column in ("Due", "Completed on"):
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%d/%m/%Y").fillna("")
    return frame.astype(object).where(frame.notna(), "")
