"""Category values that differ only in case or spacing are one group (issue 8)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.schema import DATASETS, KIND_DTYPES
from measures import default_settings, record_statuses
from measures.categories import canonical_spellings, case_ref_formats, category_key, spelling_variants


def orders(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in DATASETS["orders"].columns:
        dtype = KIND_DTYPES[column.kind]
        frame[column.name] = (
            frame[column.name].astype(dtype)
            if column.name in frame
            else pd.Series([None] * len(frame), dtype=dtype)
        )
    frame["record_id"] = np.arange(1, len(frame) + 1)
    return frame


def test_the_key_ignores_case_and_runs_of_spaces():
    assert category_key("  East   Team ") == category_key("east team") == "east team"
    assert category_key("East-Team") != category_key("East Team")  # punctuation is not spacing


def test_the_most_used_spelling_names_the_group_and_a_tie_goes_to_the_first_in_order():
    uniques = np.array(["full", "Full", "FULL", "Short", "short"], dtype=object)
    shown = canonical_spellings(uniques, np.array([5, 2, 1, 1, 1]))
    assert shown.tolist() == ["full", "full", "full", "Short", "Short"]  # "S" sorts before "s"


def test_spacing_is_tidied_in_the_name_shown():
    assert canonical_spellings(np.array(["East  Team"], dtype=object), np.array([3])).tolist() == [
        "East Team"
    ]


def test_a_breakdown_counts_full_and_full_once():
    # Three orders on Wednesday 1 April 2020, first contact due Thursday 2 April: two met, one missed.
    frame = orders(
        [
            {
                "case_ref": "1",
                "order_date": "2020-04-01",
                "lscmi_version": "Full",
                "team": "East  Team",
                "first_contact": "2020-04-02",
            },
            {
                "case_ref": "2",
                "order_date": "2020-04-01",
                "lscmi_version": "full",
                "team": "East Team",
                "first_contact": "2020-04-02",
            },
            {
                "case_ref": "3",
                "order_date": "2020-04-01",
                "lscmi_version": "Full",
                "team": "east team",
                "first_contact": "2020-04-09",
            },
        ]
    )
    statuses = record_statuses({"orders": frame}, default_settings(), pd.Timestamp("2020-06-30").date())
    first_contact = statuses[statuses["measure"] == "first_contact"]

    assert first_contact["lscmi_version"].astype(str).tolist() == ["Full", "Full", "Full"]
    # "East  Team" (1), "East Team" (1), "east team" (1): a three-way tie, "East  Team" sorts first.
    assert first_contact["team"].astype(str).tolist() == ["East Team"] * 3
    assert list(first_contact["team"].cat.categories) == ["East Team"]
    counts = first_contact.groupby("team", observed=True)["status"].value_counts().unstack()
    assert (counts.loc["East Team", "met"], counts.loc["East Team", "missed"]) == (2, 1)


def test_the_data_quality_lists_name_each_variant_and_count():
    frames = {
        "orders": pd.DataFrame(
            {
                "case_ref": ["CF-001", "cf-002", "CF-3"],
                "team": ["North", "north", "North"],
                "order_type": ["CPO"] * 3,
            }
        ),
        "audits": pd.DataFrame({"case_ref": ["00412"], "team": ["NORTH"], "auditor": ["Ann"]}),
    }

    variants = spelling_variants(frames)
    assert variants.to_dict("records") == [
        {
            "column": "team",
            "shown as": "North",
            "spellings": "“North” (2); “NORTH” (1); “north” (1)",
            "records": 4,
        }
    ]
    formats = case_ref_formats(frames)
    assert formats.to_dict("records") == [
        {"format": "AA-9", "records": 2, "example": "CF-001"},
        {"format": "9", "records": 1, "example": "00412"},
        {"format": "aa-9", "records": 1, "example": "cf-002"},
    ]


def test_formats_count_every_record_of_a_reference_used_again():
    """A person's reviews repeat their order's reference: each record counts, and a format's example is
    the first record written in it."""
    frames = {
        "orders": pd.DataFrame({"case_ref": ["cf-9", "CF-001", "CF-002"]}),
        "reviews": pd.DataFrame({"case_ref": ["CF-001", "CF-001", "cf-9", "77", None]}),
    }
    assert case_ref_formats(frames).to_dict("records") == [
        {"format": "AA-9", "records": 4, "example": "CF-001"},
        {"format": "aa-9", "records": 2, "example": "cf-9"},
        {"format": "9", "records": 1, "example": "77"},
    ]


def test_one_format_of_reference_lists_nothing():
    frames = {"orders": pd.DataFrame({"case_ref": ["DEMO-00001", "DEMO-12"]})}
    assert case_ref_formats(frames).empty


def test_a_dataset_filtered_by_a_team_keeps_every_spelling_of_it():
    from datetime import date

    from measures.filters import Filters, dataset_in_filters

    frame = orders(
        [
            {"case_ref": "1", "order_date": "2020-04-01", "team": "East  Team"},
            {"case_ref": "2", "order_date": "2020-04-01", "team": "east team"},
            {"case_ref": "3", "order_date": "2020-04-01", "team": "West"},
            {"case_ref": "4", "order_date": "2020-04-01"},
        ]
    )
    filters = Filters(None, None, ("East Team",), (), (), date(2020, 6, 30))

    assert dataset_in_filters(frame, "orders", filters)["case_ref"].tolist() == ["1", "2"]


def test_a_team_leaders_scope_holds_every_spelling_of_their_team():
    from measures.access import in_scope

    teams = pd.Series(["East  Team", "EAST TEAM", "West", None], dtype=object)
    assert in_scope(teams, ("East Team",)).tolist() == [True, True, False, False]
    assert in_scope(teams.astype("category"), ("east team",)).tolist() == [True, True, False, False]
