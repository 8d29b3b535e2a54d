"""The pack's Excel annex: every table of the pack on a sheet of its own, and the disclosure control
sheet (thresholds, every cell suppressed and why, who produced the pack and when).

Written with XlsxWriter with strings never read as formulas, urls or numbers, and every text cell
neutralised (exports.neutralise): team names and action titles came from people, and a manager opens
this file in Excel. Every table is checked by `exports.disclosure.verify` first.
"""

from __future__ import annotations

import io

import pandas as pd

from exports.disclosure import verify
from exports.neutralise import neutralise_frame
from exports.pack.cells import typed_frame
from exports.pack.content import Pack
from exports.tables import safe_sheet_name, xlsx_writer

SDC_SHEET = "Disclosure control"


def _sheet_names(pack: Pack) -> list[tuple[str, pd.DataFrame]]:
    sheets: list[tuple[str, pd.DataFrame]] = [("Summary", typed_frame(pack.summary))]
    for index, section in enumerate(pack.sections, start=1):
        sheets.append((f"{index:02d} {section.title}", typed_frame(section.quarterly)))
        if section.teams is not None:
            sheets.append((f"{index:02d} by team", typed_frame(section.teams)))
    if pack.actions is not None:
        sheets.append(("Action plan", pack.actions))
    sheets.append(("Audit grades", typed_frame(pack.grades)))
    sheets.append(("Data quality", typed_frame(pack.data_quality)))
    return sheets


def sdc_frame(pack: Pack) -> pd.DataFrame:
    """The disclosure control sheet as rows of (item, value), then the suppressed cells."""
    inputs, rules = pack.inputs, pack.inputs.settings.disclosure
    facts = [
        ("Quarter", inputs.quarter),
        ("Figures as at", inputs.as_at.strftime("%d/%m/%Y")),
        ("Produced by", inputs.produced_by),
        ("Produced at (UTC)", inputs.produced_at.strftime("%d/%m/%Y %H:%M:%S")),
        ("Level", "service; by team only where every team had the minimum due; never by worker"),
        ("Counts suppressed", f"1 to {rules.low_count_max} (0 shown)"),
        (
            "Percentages suppressed",
            f"fewer than {rules.min_denominator} behind it, or met or missed 1 to {rules.low_count_max}",
        ),
        ("Team figures need every team's due to be at least", str(rules.team_min_denominator)),
        ("Secondary suppression", "until no suppressed cell can be worked out from a total"),
        ("Cells suppressed", str(len(pack.suppressed_cells))),
    ]
    return pd.DataFrame(facts, columns=["Item", "Value"])


def pack_xlsx(pack: Pack) -> bytes:
    """The annex. DisclosureError (nothing written) if any table would publish an unsafe cell."""
    for table in pack.tables:
        verify(table)
    buffer = io.BytesIO()
    with xlsx_writer(buffer) as writer:
        bold = writer.book.add_format({"bold": True})
        used: set[str] = set()
        for name, frame in [*_sheet_names(pack), (SDC_SHEET, sdc_frame(pack))]:
            sheet = safe_sheet_name(name)
            while sheet in used:  # two long titles cut to the same 31 characters
                sheet = safe_sheet_name(f"{sheet[:28]} {len(used)}")
            used.add(sheet)
            safe = neutralise_frame(frame)
            safe.to_excel(writer, sheet_name=sheet, index=False, startrow=1, header=False)
            worksheet = writer.sheets[sheet]
            worksheet.write_row(0, 0, [str(column) for column in safe.columns], bold)
            if sheet == SDC_SHEET:
                cells = neutralise_frame(pack.suppressed_cells)
                start = len(safe) + 3
                worksheet.write_row(start, 0, list(cells.columns), bold)
                cells.to_excel(writer, sheet_name=sheet, index=False, startrow=start + 1, header=False)
            worksheet.freeze_panes(1, 0)
            worksheet.autofit()
    return buffer.getvalue()
