"""Report pack page: edit a narrative, generate, download; the files carry the edit; it is recorded."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

import store

from .conftest import page

QUARTER = "2020-21 Q4"  # the latest quarter complete by the tests' as-at date, 30/04/2021


@pytest.fixture(autouse=True)
def no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Charts need a browser; the browser test draws them. Here the pack must build without one."""
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")


def test_edit_a_narrative_generate_and_download_the_pack(demo_url, make_app, downloads):
    app = make_app(page("report_pack"))
    assert app.selectbox(key="pack_quarter").value == QUARTER
    key = f"pack_narrative_lscmi_{QUARTER.replace('-', '_').replace(' ', '_').lower()}"
    draft = app.text_area(key=key).value
    assert f"in {QUARTER}" in draft and "% (" in draft  # a rate with its counts
    app.text_area(key=key).input("LS/CMI: the October briefing is paying off.").run()
    app.button(key="pack_generate").click().run()
    assert not app.exception, app.exception

    names = sorted(downloads)
    assert names == [
        f"report_pack_{QUARTER.replace(' ', '-')}_as-at-2021-04-30.{ext}" for ext in ("docx", "xlsx")
    ]
    document = Document(io.BytesIO(downloads[names[0]]))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert "LS/CMI: the October briefing is paying off." in texts
    assert draft not in texts  # the edit replaced the draft
    assert any("The charts were left out" in text for text in texts)
    assert any("charts were left out" in warning.value for warning in app.warning)
    book = load_workbook(io.BytesIO(downloads[names[1]]))
    assert book.sheetnames[-1] == "Disclosure control"

    log = store.list_exports(store.connect(demo_url))
    assert log.iloc[0]["what"] == "Quarterly report pack"
    assert log.iloc[0]["user"] == "local user"
    assert log.iloc[0]["filters"]["quarter"] == QUARTER


def test_saving_the_cover_texts_makes_them_the_defaults(demo_url, make_app):
    app = make_app(page("report_pack"))
    app.text_area(key="pack_text_finance").input("Training costs £2,000, met from the existing budget.").run()
    app.button(key="pack_save_texts").click().run()
    assert not app.exception, app.exception
    document = store.load_settings(store.connect(demo_url))
    assert document["pack_texts"]["finance"] == "Training costs £2,000, met from the existing budget."
    assert any("saved as the defaults" in message.value for message in app.success)
