"""The quarterly report pack as a service manager opens it: the .docx in Word, the .xlsx in Excel.

Made with `cli.py pack` from a demo store, then read back with python-docx and openpyxl and checked
against `cli.py report` (the summary's figures), the disclosure rules (which cells read `c`) and the
drafted narrative's numbers. Charts are drawn by a real browser in one test only; the others run with
BROWSER_PATH pointing nowhere, which is also the "no browser" path the pack must survive.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import shutil
import time
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np
import openpyxl
import pytest
from docx import Document

import cli
import store
from exports.disclosure import DisclosureError, is_low_count, rate_is_unsafe
from exports.pack import build_pack, pack_docx, pack_xlsx, render_charts
from exports.pack.source import inputs_from_store
from measures import MEASURES
from measures.settings import Disclosure
from tests.pages.conftest import fill_demo

QUARTER = "2020-21 Q3"
AS_AT = "2021-04-30"
TITLES = [measure.title for measure in MEASURES]
C = "c"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('pack') / 'demo.sqlite3'}"
    fill_demo(url)
    store.seed_example_plan(store.connect(url), "demo", today=date(2021, 3, 31))
    return url


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")


def pack_args(url: str, out: Path) -> list[str]:
    """`cli.py pack` for the test quarter into `out` (.docx or .xlsx), as an analyst."""
    args = ["--db", url, "--user", "analyst@council.example", "pack", "--quarter", QUARTER]
    return [*args, "--as-at", AS_AT, "--out", str(out)]


def make_pack(url: str, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = cli.main(pack_args(url, out))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.err


def report_rows(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, str]]:
    assert cli.main(["--db", url, "report", "--as-at", AS_AT, "--format", "csv", *extra]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


@pytest.fixture(scope="module")
def docx_path(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Word pack for the module's read-only checks (made without a browser)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BROWSER_PATH", "/nonexistent/chromium")
        path = tmp_path_factory.mktemp("docx") / "pack.docx"
        assert cli.main(pack_args(demo_url, path)) == 0
    return path


@pytest.fixture(scope="module")
def xlsx_book(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("xlsx") / "annex.xlsx"
    assert cli.main(pack_args(demo_url, path)) == 0
    return openpyxl.load_workbook(path)


def headings(document, level: int) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs if paragraph.style.name == f"Heading {level}"]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_word_pack_has_the_ijb_cover_report_shape(docx_path: Path) -> None:
    document = Document(str(docx_path))
    assert headings(document, 1) == [
        "1 Purpose",
        "2 Recommendations",
        "3 Background",
        "4 The report",
        "5 Implications",
        "6 Directions",
    ]
    second = headings(document, 2)
    assert second[0] == "4.1 Executive summary"
    assert second[1 : 1 + len(TITLES)] == [
        f"4.{index} {title}" for index, title in enumerate(TITLES, start=2)
    ]
    assert second[1 + len(TITLES) :] == [
        "4.12 Improvement action plan",
        "4.13 Case-file audit grades",
        "4.14 Data quality",
        "4.15 Disclosure control",
        "5.1 Finance",
        "5.2 Legal",
        "5.3 Equalities",
        "5.4 Risk",
    ]
    header = dict(table_rows(document.tables[0]))
    assert header["Report to"] == "Integration Joint Board"
    assert header["Subject"] == f"Justice social work: quarterly performance report, {QUARTER}"


def test_the_summary_table_matches_cli_report_and_withholds_exactly_the_unsafe_rates(
    docx_path, demo_url, capsys
):
    report = {
        row["measure"]: row for row in report_rows(demo_url, capsys, "--from", QUARTER, "--to", QUARTER)
    }
    rows = table_rows(Document(str(docx_path)).tables[1])
    assert rows[0][:5] == ["Measure", "Met", "Due", "Rate %", "Previous quarter %"]
    assert [row[0] for row in rows[1:]] == TITLES
    withheld = 0
    for measure, row in zip(MEASURES, rows[1:], strict=True):
        figures = report[measure.id]
        met, due = int(figures["met"]), int(figures["met"]) + int(figures["missed"])
        unsafe = bool(rate_is_unsafe(np.array([met]), np.array([due]), Disclosure())[0])
        assert row[6] == figures["target"]  # the target in force, always shown
        if unsafe:
            withheld += 1
            assert row[3] == C and row[7] == C  # the rate and the RAG rating worked out from it
        else:
            assert row[3] == figures["rate"]
            assert row[7].lower().startswith(figures["rag"] if figures["rag"] != "grey" else "no rate")
        assert row[1] == (C if is_low_count(np.array([met]), Disclosure())[0] else f"{met:,}")
        assert row[2] == (C if is_low_count(np.array([due]), Disclosure())[0] else f"{due:,}")
    assert withheld < len(MEASURES)  # the demo's service-level figures are mostly publishable


def test_each_measures_narrative_quotes_the_published_rate_and_counts(docx_path, demo_url, capsys):
    report = {
        row["measure"]: row for row in report_rows(demo_url, capsys, "--from", QUARTER, "--to", QUARTER)
    }
    paragraphs = [paragraph.text for paragraph in Document(str(docx_path)).paragraphs]
    narratives = [
        paragraphs[index + 1] for index, text in enumerate(paragraphs) if text == "What the figures say"
    ]
    assert len(narratives) == len(MEASURES)
    quoted = 0
    for measure, narrative in zip(MEASURES, narratives, strict=True):
        figures = report[measure.id]
        met, missed = int(figures["met"]), int(figures["missed"])
        if rate_is_unsafe(np.array([met]), np.array([met + missed]), Disclosure())[0]:
            assert "not published" in narrative and figures["rate"] not in narrative
            continue
        quoted += 1
        assert narrative.startswith(f"{figures['rate']}% ({met:,} of {met + missed:,}) in {QUARTER}")
        word = "meeting" if float(figures["rate"]) >= float(figures["target"]) else "below"
        assert f"{word} the {figures['target']}% target" in narrative
    assert quoted >= 5


def test_the_quarterly_sheets_show_c_wherever_a_count_is_1_to_4(xlsx_book, demo_url, capsys):
    report = report_rows(demo_url, capsys, "--from", "2019-20 Q3", "--to", QUARTER)
    sheet = xlsx_book["01 First contact"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "Quarter",
        "Met",
        "Missed",
        "Due",
        "Rate %",
        "Target %",
        "RAG",
        "Pending",
        "Excluded",
        "Invalid",
    ]
    values = {
        row[0]: dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    expected = {row["quarter"]: row for row in report if row["measure"] == "first_contact"}
    assert list(values) == ["2019-20 Q3", "2019-20 Q4", "2020-21 Q1", "2020-21 Q2", QUARTER]
    checked = 0
    for quarter, row in values.items():
        for column, name in (("Excluded", "excluded"), ("Invalid", "invalid"), ("Pending", "pending")):
            count = int(expected[quarter][name])
            assert row[column] == (C if 1 <= count <= 4 else count)
            checked += 1 <= count <= 4
        if row["Rate %"] != C:
            assert f"{row['Rate %']:.1f}" == expected[quarter]["rate"]
            assert row["Met"] == int(expected[quarter]["met"])
    assert checked, "the demo quarter range should hold at least one low count to check"


def test_the_annex_has_every_table_and_a_disclosure_control_sheet(xlsx_book) -> None:
    names = xlsx_book.sheetnames
    assert names[0] == "Summary" and names[-1] == "Disclosure control"
    assert {"Action plan", "Audit grades", "Data quality"} <= set(names)
    assert sum(name[:2].isdigit() and not name.endswith("by team") for name in names) == len(MEASURES)
    sdc = xlsx_book["Disclosure control"]
    facts = {row[0]: row[1] for row in sdc.iter_rows(min_row=2, max_col=2, values_only=True) if row[0]}
    assert facts["Quarter"] == QUARTER
    assert facts["Produced by"] == "analyst@council.example"
    assert facts["Counts suppressed"] == "1 to 4 (0 shown)"
    listed = [row for row in sdc.iter_rows(values_only=True) if row[0] and row[0] != "Table" and row[2]]
    assert int(facts["Cells suppressed"]) == len(listed) > 0
    # every listed cell really reads c on its sheet: the log and the tables agree
    grades = xlsx_book["Audit grades"]
    header = [cell.value for cell in grades[1]]
    for table, row_label, column, _reason in listed:
        if table == "Case-file audit grades":
            row = next(r for r in grades.iter_rows(min_row=2, values_only=True) if r[0] == row_label)
            assert row[header.index(column)] == C


def test_without_a_browser_the_pack_still_builds_and_says_the_charts_were_left_out(
    demo_url, tmp_path, capsys, no_browser
):
    err = make_pack(demo_url, tmp_path / "pack.docx", capsys)
    assert "charts left out: no browser was found" in err
    document = Document(str(tmp_path / "pack.docx"))
    assert len(document.inline_shapes) == 0
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert any(
        text.startswith("The charts were left out of this pack: no browser was found") for text in texts
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium to draw the charts")
def test_with_chromium_every_measure_page_has_its_chart_as_an_image(demo_url, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert make_pack(demo_url, tmp_path / "pack.docx", capsys) == ""
    document = Document(str(tmp_path / "pack.docx"))
    without = sum(paragraph.text.endswith("no chart.") for paragraph in document.paragraphs)
    assert len(document.inline_shapes) == len(MEASURES) - without >= len(MEASURES) // 2
    image = document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    assert document.part.related_parts[image].blob[:8] == b"\x89PNG\r\n\x1a\n"


def test_generating_a_pack_is_in_the_audit_trail(docx_path, demo_url, capsys) -> None:
    assert cli.main(["--db", demo_url, "audit", "--action", "export", "--format", "csv"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if "Quarterly report pack" in line]
    assert lines and all("analyst@council.example" in line for line in lines)
    assert QUARTER in lines[0]


def test_the_pack_refuses_to_write_an_unsafe_cell(demo_url) -> None:
    inputs = inputs_from_store(store.connect(demo_url), QUARTER, date(2021, 4, 30), "tester")
    pack = build_pack(inputs)
    leaky = dataclasses.replace(pack.grades, values=pack.grades.raw.astype(object))
    unsafe = dataclasses.replace(pack, grades=leaky)
    with pytest.raises(DisclosureError, match="Case-file audit grades"):
        pack_xlsx(unsafe)
    with pytest.raises(DisclosureError, match="Case-file audit grades"):
        pack_docx(unsafe, render_charts({}))


def test_the_data_quality_notes_give_the_data_date_of_the_newest_extract(demo_url) -> None:
    engine = store.connect(demo_url)
    newest = store.newest_data(engine)
    assert newest is not None and newest.data_date is not None
    notes = build_pack(inputs_from_store(engine, QUARTER, date(2021, 4, 30), "tester")).notes
    assert (
        f"Data date: {newest.data_date:%d/%m/%Y} (from the {newest.dataset} extract uploaded on "
        in " ".join(notes)
    )


def test_edited_narratives_and_texts_replace_the_drafts(demo_url) -> None:
    inputs = inputs_from_store(
        store.connect(demo_url),
        QUARTER,
        date(2021, 4, 30),
        "tester",
        narratives={"lscmi": "LS/CMI improved after the October briefing."},
        texts={"finance": "A one-off cost of £2,000 for training."},
    )
    document = Document(io.BytesIO(pack_docx(build_pack(inputs), render_charts({}))))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "LS/CMI improved after the October briefing." in texts
    assert texts[texts.index("5.1 Finance") + 1] == "A one-off cost of £2,000 for training."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", QUARTER, "--out", "pack.pdf"], "--out must name a .docx"),
        (["--quarter", "Q3 2020", "--out", "pack.docx"], "Q3 2020"),
    ],
)
def test_a_bad_request_is_refused_in_one_line(demo_url, capsys, args, message) -> None:
    assert cli.main(["--db", demo_url, "pack", *args]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_browser_that_will_not_start_leaves_the_charts_out_with_the_reason(monkeypatch) -> None:
    import plotly.graph_objects as go

    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # runs, and exits at once: no browser to talk to
    images = render_charts({"lscmi": go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))})
    assert images.images == {}
    assert images.left_out.startswith("the browser could not draw them (")


class StallingKaleido:
    """Stands in for kaleido.Kaleido: the first `stalls` browsers never answer, at `where` (their start
    or a chart); later ones draw every chart as a tiny PNG."""

    stalls = 1
    where = "chart"
    started: ClassVar[list[StallingKaleido]] = []

    def __init__(self, **options: object) -> None:
        self.stalling = len(StallingKaleido.started) < StallingKaleido.stalls
        StallingKaleido.started.append(self)

    async def __aenter__(self) -> StallingKaleido:
        if self.stalling and StallingKaleido.where == "start":
            await asyncio.sleep(3600)
        return self

    async def __aexit__(self, *exception: object) -> None:
        return None

    async def calc_fig(self, figure: object, opts: dict[str, object]) -> bytes:
        if self.stalling:
            await asyncio.sleep(3600)
        return b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def stalling_browser(monkeypatch: pytest.MonkeyPatch) -> type[StallingKaleido]:
    import kaleido

    from exports.pack import images

    monkeypatch.setenv("BROWSER_PATH", "/bin/true")
    monkeypatch.setattr(kaleido, "Kaleido", StallingKaleido)
    monkeypatch.setattr(images, "START_TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(images, "CHART_TIMEOUT_SECONDS", 0.5)
    StallingKaleido.started = []
    return StallingKaleido


@pytest.mark.parametrize("where", ["start", "chart"])
def test_a_browser_that_stops_answering_is_given_up_and_the_charts_drawn_by_a_fresh_one(
    stalling_browser: type[StallingKaleido], where: str
) -> None:
    """Seen once in CI: Chromium started and never answered, and the pack (and the suite) waited for good."""
    import plotly.graph_objects as go

    stalling_browser.stalls, stalling_browser.where = 1, where
    started = time.perf_counter()
    images = render_charts({"lscmi": go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))})
    assert images.images == {"lscmi": b"\x89PNG\r\n\x1a\n"} and images.left_out == ""
    assert len(stalling_browser.started) == 2
    assert time.perf_counter() - started < 10


def test_two_browsers_that_stop_answering_leave_the_charts_out_with_the_reason(
    stalling_browser: type[StallingKaleido],
) -> None:
    import plotly.graph_objects as go

    stalling_browser.stalls, stalling_browser.where = 2, "chart"
    images = render_charts({"lscmi": go.Figure(go.Scatter(x=[1, 2], y=[3, 4]))})
    assert images.images == {}
    assert images.left_out == "the browser could not draw them (TimeoutError)"
    assert len(stalling_browser.started) == 2
