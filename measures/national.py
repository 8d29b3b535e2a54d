"""National figures the benchmark table starts with: Scottish Government justice social work statistics.

Percentages of orders within the timescale, excluding "not known" (../shared/notes/spc-sdc-ijb.md
section 4). They seed the editable benchmark table of the settings: the service corrects or extends them
there (later years are published only as spreadsheets beside each release), so they are data, not rules.
Each figure names the table it came from, shown beside the line it draws.
"""

from __future__ import annotations

from typing import Any

_CJSW_2013_14 = "Scottish Government, Criminal Justice Social Work Statistics in Scotland 2013-14, Table 13"
_CJSW_2018_19 = "Scottish Government, Criminal Justice Social Work Statistics in Scotland 2018-19, Table 18"
_JSW_2019_20 = "Scottish Government, Justice Social Work Statistics in Scotland 2019-20, Table 26"
_JSW_2020_21 = "Scottish Government, Justice Social Work Statistics in Scotland 2020-21, Table 13"


def _figures(measure: str, label: str, source: str, rates: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"measure": measure, "label": label, "year": year, "rate": rate, "source": source}
        for year, rate in rates.items()
    ]


NATIONAL_BENCHMARKS: tuple[dict[str, Any], ...] = (
    # Community Payback Orders: unpaid work placement started within 7 working days.
    *_figures(
        "upw_start",
        "Scotland",
        _CJSW_2018_19,
        {"2014-15": 72.7, "2015-16": 68.3, "2016-17": 67.2, "2017-18": 68.4, "2018-19": 69.2},
    ),
    # 7,305 of 10,052 in 2019-20; 1,812 of 3,679 in 2020-21 (the pandemic year).
    *_figures("upw_start", "Scotland", _JSW_2020_21, {"2019-20": 72.7, "2020-21": 49.3}),
    # CPO first contact within 1 working day and first induction within 5 working days.
    *_figures(
        "first_contact", "Scotland (CPO)", _CJSW_2013_14, {"2011-12": 76.8, "2012-13": 79.2, "2013-14": 78.9}
    ),
    *_figures(
        "induction", "Scotland (CPO)", _CJSW_2013_14, {"2011-12": 82.7, "2012-13": 82.9, "2013-14": 81.2}
    ),
    # Drug Treatment and Testing Orders: first contact within 1 working day, first case management
    # meeting (our induction) within 5 working days.
    *_figures(
        "first_contact",
        "Scotland (DTTO)",
        _JSW_2019_20,
        {"2015-16": 81.2, "2016-17": 73.9, "2017-18": 68.0, "2018-19": 63.4, "2019-20": 69.4},
    ),
    *_figures(
        "induction",
        "Scotland (DTTO)",
        _JSW_2019_20,
        {"2015-16": 83.7, "2016-17": 82.9, "2017-18": 83.6, "2018-19": 78.2, "2019-20": 82.2},
    ),
)
