"""The pages round a rate's halves up, exactly as the command line and exports do (decisions.md)."""

from __future__ import annotations

import hashlib

import store
from loaders import read_extract

from .conftest import page


def store_halves(url: str) -> None:
    """First contact: 333 of 400 on time in 2020-21 Q1 (83.25%), 1 of 16 in 2020-21 Q2 (6.25%)."""
    lines = ["Case Ref,Order Date,First Contact"]
    lines += [f"H{n:04d},01/04/2020,{'02/04/2020' if n < 333 else '10/04/2020'}" for n in range(400)]
    lines += [f"J{n:04d},01/07/2020,{'02/07/2020' if n < 1 else '10/07/2020'}" for n in range(16)]
    content = ("\n".join(lines) + "\n").encode()
    (sheet,) = read_extract("halves.csv", content).sheets
    digest = hashlib.sha256(content).hexdigest()
    store.store_sheet(store.connect(url), sheet, file_name="halves.csv", sha256=digest, user="t")


def test_the_figures_table_shows_83_3_and_6_3_not_half_to_even(empty_url, make_app):
    store_halves(empty_url)
    app = make_app(page("assessment"), **{"from": "2020-21 Q1", "to": "2020-21 Q2"})

    figures = app.dataframe[0].value
    assert list(figures["Quarter"]) == ["2020-21 Q1", "2020-21 Q2"]
    assert list(figures["Rate %"]) == [83.3, 6.3]
