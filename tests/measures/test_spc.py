"""SPC rules one at a time (SPEC 7.1), each on a series worked out by hand.

Where NHSRplotthedots publishes expectations for the same series, the test reproduces them and names the
file (nhs-r-community/NHSRplotthedots, tests/testthat/...). Its values are not percentages, so they are
moved into 0-100 where a test needs a rate; a run of signs is turned into values either side of a centre.
Where MDC (and SPEC) differ from NHSRplotthedots, the test says so.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from measures import spc
from measures.settings import Benchmark, Rebase, SpcRules, Target


def flagged(mask: np.ndarray) -> list[int]:
    return [int(index) for index in np.flatnonzero(mask)]


def series(rates: list[float], *, first: str = "2019-04", denominator: int = 100) -> pd.DataFrame:
    """Monthly points with these rates (met chosen so met / denominator is the rate exactly)."""
    starts = pd.date_range(first, periods=len(rates), freq="MS")
    met = [round(rate * denominator / 100) for rate in rates]
    assert [m * 100 / denominator for m in met] == list(rates), "rates must be exact for the denominator"
    return pd.DataFrame(
        {
            "period": starts.strftime("%Y-%m"),
            "period_start": starts,
            "met": met,
            "denominator": denominator,
        }
    )


def chart(rates: list[float], **options) -> spc.SpcChart:
    return spc.spc_chart(series(rates), measure="lscmi", period="month", **options)


# --- rule 2: shift ------------------------------------------------------------------------------------


def test_a_shift_of_exactly_seven_points_is_flagged_whole() -> None:
    values = np.array([40, 60, 61, 62, 63, 64, 65, 66, 40], dtype=float)
    above, below = spc.shift(values, np.full(9, 50.0), np.zeros(9), 7)
    assert flagged(above) == [1, 2, 3, 4, 5, 6, 7]
    assert not below.any()


def test_a_run_of_six_is_not_a_shift() -> None:
    values = np.array([40, 60, 61, 62, 63, 64, 65, 40], dtype=float)
    above, below = spc.shift(values, np.full(8, 50.0), np.zeros(8), 7)
    assert not above.any() and not below.any()


def test_a_point_on_the_centre_breaks_a_shift() -> None:
    # 4 above, one exactly on the centre, 4 above: two runs of 4, no shift of 7.
    values = np.array([60, 61, 62, 63, 50, 64, 65, 66, 67], dtype=float)
    above, _ = spc.shift(values, np.full(9, 50.0), np.zeros(9), 7)
    assert not above.any()
    # The same series with 51 in place of the 50 is a shift of 9.
    values[4] = 51
    assert flagged(spc.shift(values, np.full(9, 50.0), np.zeros(9), 7)[0]) == list(range(9))


def test_a_shift_is_evaluated_within_a_segment() -> None:
    values = np.full(10, 60.0)
    above, _ = spc.shift(values, np.full(10, 50.0), np.array([0] * 5 + [1] * 5), 7)
    assert not above.any(), "5 and 5 either side of a rebase are two runs, not one of 10"


def test_shift_length_is_a_setting() -> None:
    values = np.array([60, 61, 62, 63, 64, 65, 40], dtype=float)
    assert flagged(spc.shift(values, np.full(7, 50.0), np.zeros(7), 6)[0]) == [0, 1, 2, 3, 4, 5]


def test_shift_reproduces_nhsrplotthedots_seven_point_one_side_mean() -> None:
    # tests/testthat/test-ptd_calculate_point_type.R, ptd_seven_point_one_side_mean and
    # ptd_part_of_seven_trend: signs relative to the mean -> every point of a run of 7+ is flagged.
    def from_signs(signs: list[int]) -> tuple[list[int], list[int]]:
        values = 50 + 10 * np.array(signs, dtype=float)
        above, below = spc.shift(values, np.full(len(signs), 50.0), np.zeros(len(signs)), 7)
        return flagged(above), flagged(below)

    assert from_signs([1] * 6) == ([], [])
    assert from_signs([1] * 6 + [-1]) == ([], [])
    assert from_signs([1] * 8 + [-1]) == (list(range(8)), [])
    assert from_signs([-1] * 8 + [1]) == ([], list(range(8)))
    assert from_signs([-1] + [1] * 8 + [-1]) == (list(range(1, 9)), [])


# --- rule 3: trend ------------------------------------------------------------------------------------


def test_a_trend_of_seven_rising_points_flags_all_seven_endpoints_included() -> None:
    rising, falling = spc.trend(np.array([55, 41, 42, 43, 44, 45, 46, 47, 43], dtype=float), 7)
    assert flagged(rising) == [1, 2, 3, 4, 5, 6, 7]
    assert not falling.any()


def test_an_equal_value_breaks_a_trend() -> None:
    # 1 2 3 3 4 5 6: the repeated 3 breaks it (NHSRplotthedots test-ptd_calculate_point_type.R,
    # ptd_seven_point_trend(c(1:3, 3:6)) is all 0).
    rising, falling = spc.trend(np.array([1, 2, 3, 3, 4, 5, 6], dtype=float) + 40, 7)
    assert not rising.any() and not falling.any()


def test_trend_reproduces_nhsrplotthedots_seven_point_trend() -> None:
    # tests/testthat/test-ptd_calculate_point_type.R, ptd_seven_point_trend: the function marks the
    # point that completes a 7-point trend; the flags of the whole run follow (endpoints included).
    def run(values: list[float]) -> tuple[list[int], list[int]]:
        rising, falling = spc.trend(np.array(values, dtype=float) + 40, 7)
        return flagged(rising), flagged(falling)

    assert run(list(range(1, 7))) == ([], [])
    assert run(list(range(1, 8))) == (list(range(7)), [])
    assert run([2, *range(1, 8), 3]) == (list(range(1, 8)), [])
    assert run(list(range(7, 0, -1))) == ([], list(range(7)))
    assert run([2, *range(7, 0, -1), 3]) == ([], list(range(1, 8)))


def test_a_trend_runs_across_a_rebase() -> None:
    # It compares points with each other, not with a centre, so a new baseline does not break it.
    result = chart(
        [50, 52, 50, 52, 50, 52, 50, 52, 50, 52, 51, 53, 55, 57, 59, 61, 63],
        rebases=[Rebase(date(2020, 5, 1), "2020-05", "new process")],
    )
    points = result.points
    assert list(points["segment"]) == [0] * 13 + [1] * 4
    assert points["trend"].tolist() == [False] * 10 + [True] * 7  # 51 53 55 | 57 59 61 63


# --- rule 4: two of three beyond 2 sigma ----------------------------------------------------------------


def two_of_three(values: list[float], segments: list[int] | None = None) -> tuple[list[int], list[int]]:
    count = len(values)
    high, low = spc.two_of_three(
        np.array(values, dtype=float),
        np.full(count, 50.0),
        np.full(count, 40.0),
        np.full(count, 60.0),
        np.array(segments if segments is not None else [0] * count),
    )
    return flagged(high), flagged(low)


def test_two_of_three_beyond_the_upper_two_sigma_line_flags_only_those_beyond() -> None:
    assert two_of_three([52, 62, 55, 63, 52]) == ([1, 3], [])
    assert two_of_three([48, 38, 45, 37, 48]) == ([], [1, 3])


def test_two_of_three_needs_the_third_point_on_the_same_side_of_the_centre() -> None:
    # 62 and 63 beyond the upper 2 sigma line, but the window's third point (45) is below the centre.
    assert two_of_three([62, 63, 45]) == ([], [])
    # The same two points with a third just above the centre signal.
    assert two_of_three([62, 63, 51]) == ([0, 1], [])


def test_a_point_beyond_three_sigma_counts_toward_two_of_three() -> None:
    # MDC since November 2023 (SPEC 7.1); NHSRplotthedots 0.2.2 counts only points between the lines.
    result = chart([50, 52] * 7 + [75, 56, 64])
    last = result.points.tail(3)
    assert last["limit"].tolist() == [True, False, False]
    assert last["two_of_three"].tolist() == [True, False, True]
    assert last["flag"].tolist() == ["improvement", "", "improvement"]


def test_two_of_three_does_not_span_a_rebase() -> None:
    assert two_of_three([62, 63, 55], [0, 0, 1]) == ([], [])


def test_two_of_three_reproduces_nhsrplotthedots_part_of_two_in_three() -> None:
    # tests/testthat/test-ptd_calculate_point_type.R, ptd_two_in_three / ptd_part_of_two_in_three: 1 marks
    # a point close to the limit; every point here is above the mean.
    def close(marks: list[int]) -> list[int]:
        return two_of_three([62 if mark else 55 for mark in marks])[0]

    assert close([1, 0, 1]) == [0, 2]
    assert close([0, 1, 1]) == [1, 2]
    assert close([1, 1, 0]) == [0, 1]
    assert close([0, 0, 1, 0, 1, 0, 0]) == [2, 4]
    assert close([0, 0, 1, 1, 0, 0, 0]) == [2, 3]
    assert close([1, 0, 0, 1]) == []
    assert close([1, 0, 0, 1, 1]) == [3, 4]


def test_two_points_beyond_two_sigma_on_opposite_sides_are_common_cause() -> None:
    # NHSRplotthedots tests/testthat/test-ptd_spc_standard.R, "it only reports special cause for 2 of 3
    # points close to limits when they are on the same side of the mean": 1, -1 eight times with the
    # last two 5.5 and -5.5; here + 50. By hand: mean 50; without screening MR-bar = (13 x 2 + 6.5 + 11)
    # / 15 = 2.9, 2 sigma lines 50 +/- 5.14, limits 50 +/- 7.71: both last points beyond 2 sigma, on
    # opposite sides.
    values = [51, 49] * 7 + [55.5, 44.5]
    result = spc.spc_chart(series(values, denominator=1000), measure="lscmi", period="month")
    assert result.chart == "xmr"
    assert result.points["centre"].iloc[0] == pytest.approx(50)
    assert result.points["sigma_upper"].iloc[0] == pytest.approx(50 + 1.773 * 2.9)
    assert result.points["flag"].tail(2).tolist() == ["", ""]
    assert result.variation == "common"


# --- rule 1 and the limits -------------------------------------------------------------------------------


def test_xmr_limits_by_hand() -> None:
    # 50 60 55 65: mean 57.5; moving ranges 10, 5, 10 -> MR-bar 25/3.
    limits = spc.xmr_limits(np.array([50, 60, 55, 65.0]), np.zeros(4))
    mr_bar = 25 / 3
    assert limits["centre"][0] == pytest.approx(57.5)
    assert limits["upper"][0] == pytest.approx(57.5 + 2.66 * mr_bar)  # 79.67
    assert limits["lower"][0] == pytest.approx(57.5 - 2.66 * mr_bar)  # 35.33
    assert limits["sigma_upper"][0] == pytest.approx(57.5 + 1.773 * mr_bar)
    assert limits["sigma_lower"][0] == pytest.approx(57.5 - 1.773 * mr_bar)


def test_limits_are_clamped_at_100_percent_and_a_100_percent_point_is_not_beyond() -> None:
    # 95 100 95 100 ...: mean 97.5, MR-bar 5 -> upper 97.5 + 13.3 = 110.8, drawn at 100.
    result = chart([95, 100] * 8)
    first = result.points.iloc[0]
    assert first["upper"] == 100
    assert first["sigma_upper"] == 100
    assert first["lower"] == pytest.approx(97.5 - 13.3)
    assert not result.points["limit"].any()
    # A target of 100% is on the clamped upper limit: SPEC 7.1 counts that as failing.
    target = chart([95, 100] * 8, targets=[Target(date(2000, 1, 1), 100.0)])
    assert target.assurance == "fail"


def test_limits_are_clamped_at_zero() -> None:
    limits = spc.xmr_limits(np.array([0, 5, 0, 5.0]), np.zeros(4))
    assert limits["lower"][0] == 0
    assert limits["sigma_lower"][0] == 0


def test_a_point_beyond_a_limit_is_flagged_but_one_on_it_is_not() -> None:
    above, below = spc.beyond_limits(np.array([80, 80.0000001, 20, 19.9]), np.full(4, 20.0), np.full(4, 80.0))
    assert flagged(above) == [1]
    assert flagged(below) == [3]


def test_a_rebase_splits_the_limits() -> None:
    # Ten points alternating 50/54 (mean 52, MR-bar 4), then ten alternating 80/82 (mean 81, MR-bar 2);
    # the jump between them is no moving range of either segment.
    rates = [50, 54] * 5 + [80, 82] * 5
    rebase = Rebase(date(2020, 2, 1), "2020-02", "action plan started 2019-20 Q4", "officer@example.org")
    result = chart(rates, rebases=[rebase])
    before, after = result.points.iloc[0], result.points.iloc[-1]
    assert (before["segment"], after["segment"]) == (0, 1)
    assert before["centre"] == pytest.approx(52)
    assert before["upper"] == pytest.approx(52 + 2.66 * 4)
    assert after["centre"] == pytest.approx(81)
    assert after["upper"] == pytest.approx(81 + 2.66 * 2)
    assert after["lower"] == pytest.approx(81 - 2.66 * 2)
    assert result.breaks == (("2020-02", rebase),)
    assert "trial limits" in result.note  # two segments of 10 points
    # Without the rebase: one mean (66.5) and no break.
    single = chart(rates)
    assert single.points["centre"].nunique() == 1 and single.breaks == ()


def test_a_rebase_month_within_a_quarter_starts_the_next_quarter() -> None:
    starts = pd.to_datetime(["2020-07-01", "2020-10-01", "2021-01-01"]).to_numpy()
    segments = spc.segments_for(starts, [Rebase(date(2020, 11, 1), "2020-11", "x")])
    assert segments.tolist() == [0, 0, 1]


def test_moving_range_screening_is_off_by_default_and_narrows_the_limits_when_on() -> None:
    values = np.array([50, 52, 50, 52, 50, 52, 50, 100, 52.0])
    plain = spc.xmr_limits(values, np.zeros(9))
    screened = spc.xmr_limits(values, np.zeros(9), screen=True)
    # Ranges 2 x 6, 50, 48: MR-bar 110/8 = 13.75, 3.267 x 13.75 = 44.9 drops 50 and 48 -> MR-bar 2.
    assert plain["mr_bar"][0] == pytest.approx(13.75)
    assert screened["mr_bar"][0] == pytest.approx(2)


# --- variation and assurance ---------------------------------------------------------------------------


def test_a_point_flagged_both_ways_is_improvement_and_names_every_rule() -> None:
    # Eight points at 80/82, then seven rising from 10 to 16: the last is below the lower limit, in a
    # shift below the centre and two-of-three below (concern), and ends a rising trend (improvement).
    result = chart([80, 82] * 4 + [10, 11, 12, 13, 14, 15, 16])
    last = result.points.iloc[-1]
    assert last["flag"] == "improvement"
    assert last["rules"] == "limit;shift;trend;two_of_three"
    assert last["signal"].startswith("Special cause improvement: below the lower process limit")
    assert result.variation == "improvement"


def test_variation_is_the_last_points_flag() -> None:
    assert chart([50, 52] * 8).variation == "common"
    assert chart([50, 52] * 7 + [50, 90]).variation == "improvement"
    assert chart([50, 52] * 7 + [50, 10]).variation == "concern"


def test_assurance_with_the_target_exactly_on_a_limit() -> None:
    # Sixteen points alternating 50/60: mean 55, MR-bar 10 -> limits 28.4 and 81.6.
    rates = [50, 60] * 8

    def assurance(target: float) -> str | None:
        return chart(rates, targets=[Target(date(2000, 1, 1), target)]).assurance

    assert assurance(28.4) == "pass"  # on the lower limit: consistently passes (MDC)
    assert assurance(20) == "pass"
    assert assurance(28.5) == "hit_and_miss"
    assert assurance(81.5) == "hit_and_miss"
    assert assurance(81.6) == "fail"  # on the upper limit: consistently fails
    assert chart(rates).assurance is None  # no target


def test_assurance_reproduces_nhsrplotthedots_for_increase() -> None:
    # tests/testthat/test-ptd_calculate_assurance_type.R, "improvement_direction is increase": target 4
    # against (lpl, upl) (1, 3), (5, 7), (1, 5).
    assert spc.assurance_for(4, 1, 3) == "fail"
    assert spc.assurance_for(4, 5, 7) == "pass"
    assert spc.assurance_for(4, 1, 5) == "hit_and_miss"
    assert spc.assurance_for(None, 1, 5) is None


def test_assurance_uses_the_target_in_force_for_the_last_period() -> None:
    targets = [Target(date(2000, 1, 1), 10.0), Target(date(2020, 7, 1), 90.0)]
    assert chart([50, 60] * 8, targets=targets).assurance == "fail"  # last point July 2020
    assert chart([50, 60] * 7, targets=targets).chart == "run"


# --- run charts ------------------------------------------------------------------------------------


def test_fewer_than_fifteen_points_is_a_run_chart_and_says_why() -> None:
    run = chart([50, 52] * 7)
    assert run.chart == "run" and run.assurance is None
    assert run.points["lower"].isna().all()
    assert run.note.startswith("Run chart: 14 monthly points, fewer than the 15 an SPC chart needs")
    assert chart([50, 52] * 7 + [50]).chart == "xmr"


def test_run_chart_shift_ignores_points_on_a_median_tie() -> None:
    # Sorted, the 13 values put 50 (twice) at the median. Below it: 45 40 44 [50] 41 43 42 -> six below
    # with the median point neither counting nor breaking the run; above: 60 55 58 56 59 -> five.
    rates = [45, 40, 44, 50, 41, 43, 42, 60, 55, 58, 56, 59, 50]
    result = chart(rates)
    assert result.points["centre"].iloc[0] == 50
    assert flagged(result.points["concern"].to_numpy()) == [0, 1, 2, 4, 5, 6]
    assert not result.points["improvement"].any()
    assert result.points["rules"].iloc[0] == "shift"
    assert result.variation == "common"  # the last point sits on the median


def test_run_chart_shift_needs_six() -> None:
    above, below = spc.run_chart_shift(np.array([1, 2, 3, 4, 5, 60, 61, 62, 63, 64.0]), 30)
    assert flagged(below) == [] and flagged(above) == []
    above, _ = spc.run_chart_shift(np.array([1, 2, 3, 4, 60, 61, 62, 63, 64, 65.0]), 30)
    assert flagged(above) == [4, 5, 6, 7, 8, 9]


def test_run_chart_trend_counts_equal_values_once() -> None:
    rising, _ = spc.run_chart_trend(np.array([10, 20, 20, 30, 40, 50.0]))
    assert flagged(rising) == [0, 1, 2, 3, 4, 5]  # 10 20 30 40 50: five distinct rising values
    rising, _ = spc.run_chart_trend(np.array([10, 20, 20, 30, 40.0, 35]))
    assert not rising.any()  # four
    _, falling = spc.run_chart_trend(np.array([50, 40, 30, 30, 20, 10.0]))
    assert flagged(falling) == [0, 1, 2, 3, 4, 5]


# --- counting periods -----------------------------------------------------------------------------------


def statuses(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    """(measure, status, due_date, from_date) rows, shaped as record_statuses returns them."""
    return pd.DataFrame(
        {
            "measure": pd.Categorical([row[0] for row in rows], categories=list(spc.MEASURE_IDS)),
            "status": [row[1] for row in rows],
            # the statuses' dtype (measures.statuses); pandas 3 would parse these to microseconds
            "due_date": pd.to_datetime([row[2] or None for row in rows]).astype("datetime64[ns]"),
            "from_date": pd.to_datetime([row[3] for row in rows]).astype("datetime64[ns]"),
        }
    )


def test_months_come_from_the_due_date_or_the_held_date_and_only_complete_periods_count() -> None:
    frame = statuses(
        [
            ("lscmi", "met", "2020-05-02", "2020-04-04"),  # counts in May (due date)
            ("lscmi", "missed", "2020-04-30", "2020-04-02"),  # April
            ("lscmi", "met", "2020-04-10", "2020-03-13"),  # April
            ("lscmi", "pending", "2020-04-20", "2020-03-23"),  # not decided: left out
            ("lscmi", "excluded", "2020-04-20", "2020-03-23"),
            ("review_participation", "met", "", "2020-06-30"),  # June (held date)
        ]
    )
    monthly = spc.monthly_counts(frame)
    assert monthly.astype({"month_start": str}).values.tolist() == [
        ["lscmi", "2020-04-01", 1, 1],
        ["lscmi", "2020-05-01", 1, 0],
        ["review_participation", "2020-06-01", 1, 0],
    ]
    by_month = spc.period_counts(monthly, "month", date(2020, 5, 30))  # May not complete yet
    assert by_month[["measure", "period", "met", "denominator"]].values.tolist() == [
        ["lscmi", "2020-04", 1, 2]
    ]
    by_quarter = spc.period_counts(monthly, "quarter", date(2020, 6, 30))
    assert by_quarter[["measure", "period", "met", "denominator"]].values.tolist() == [
        ["lscmi", "2020-21 Q1", 2, 3],
        ["review_participation", "2020-21 Q1", 1, 1],
    ]
    assert spc.period_counts(monthly, "quarter", date(2020, 6, 29)).empty


def test_a_filter_mask_keeps_only_its_rows() -> None:
    frame = statuses(
        [("lscmi", "met", "2020-04-02", "2020-03-05"), ("lscmi", "missed", "2020-04-02", "2020-03-05")]
    )
    monthly = spc.monthly_counts(frame, np.array([True, False]))
    assert monthly[["met", "missed"]].values.tolist() == [[1, 0]]
    assert spc.monthly_counts(frame, np.array([False, False])).empty


def test_every_measure_gets_a_chart_and_none_when_it_has_no_points() -> None:
    from measures import default_settings

    counts = series([50, 52] * 8).assign(measure="cmp")
    charts = spc.spc_for_measures(counts, default_settings(), "month")
    assert list(charts) == list(spc.MEASURE_IDS)
    assert charts["cmp"].chart == "xmr" and charts["cmp"].assurance == "fail"  # limits 45.7-56.3, target 90
    assert charts["lscmi"].chart == "none" and charts["lscmi"].variation is None


# --- p-chart ---------------------------------------------------------------------------------------------


def test_p_chart_limits_come_from_each_points_denominator() -> None:
    # p-bar = (45 + 40 + 5) / (50 + 50 + 10) = 90/110; sigma at n = 50 is sqrt(p(1-p)/50) = 0.054545.
    points = pd.DataFrame(
        {
            "period": ["2020-04", "2020-05", "2020-06"],
            "period_start": pd.to_datetime(["2020-04-01", "2020-05-01", "2020-06-01"]),
            "met": [45, 40, 5],
            "denominator": [50, 50, 10],
        }
    )
    result = spc.p_chart(points, measure="lscmi", period="month")
    p_bar = 90 / 110
    sigma = np.sqrt(p_bar * (1 - p_bar) / 50)
    first, last = result.points.iloc[0], result.points.iloc[-1]
    assert first["centre"] == pytest.approx(100 * p_bar)
    assert first["upper"] == pytest.approx(100 * (p_bar + 3 * sigma))  # 98.18
    assert first["lower"] == pytest.approx(100 * (p_bar - 3 * sigma))
    assert last["upper"] == 100  # n = 10: 81.8 + 36.6, clamped
    # n.(1 - p) = 10 x 0.18 = 1.8 < 5 at n = 10; 50 x 0.18 = 9.1 at n = 50.
    assert result.points["small_numbers"].tolist() == [False, False, True]
    assert "1 of 3 points have small numbers" in result.note
    assert result.variation is None and result.assurance is None


# --- funnel ----------------------------------------------------------------------------------------------


def test_funnel_does_not_call_a_small_team_worse_for_one_missed_case() -> None:
    # Service: 1064 of 1205 = 88.3%. A team of 5 at 80% is within its wide limits (95% lower 60.1%);
    # a team of 200 at 80% is below its 99.8% limit (81.3%).
    groups = pd.DataFrame({"group": ["A", "B", "C"], "met": [900, 4, 160], "denominator": [1000, 5, 200]})
    result = spc.funnel(groups)
    p = 1064 / 1205
    assert result.service_rate == pytest.approx(100 * p)
    points = result.points.set_index("group")
    assert points.loc["B", "lower_95"] == pytest.approx(100 * (p - 1.959964 * np.sqrt(p * (1 - p) / 5)))
    assert points.loc["C", "lower_99.8"] == pytest.approx(100 * (p - 3.090232 * np.sqrt(p * (1 - p) / 200)))
    assert points["position"].to_dict() == {"A": "within", "B": "within", "C": "below_99.8"}
    assert points["small_numbers"].to_dict() == {"A": False, "B": True, "C": False}
    assert result.curve["denominator"].min() == 1
    assert (result.curve["upper_99.8"] >= result.curve["upper_95"]).all()


def test_group_counts_per_measure_and_team_with_blank_teams_kept() -> None:
    frame = statuses(
        [
            ("lscmi", "met", "2020-04-02", "2020-03-05"),
            ("lscmi", "missed", "2020-04-02", "2020-03-05"),
            ("lscmi", "pending", "2020-04-02", "2020-03-05"),
            ("cmp", "met", "2020-04-02", "2020-03-05"),
        ]
    ).assign(team=["North", None, "North", "South"])
    table = spc.group_counts(frame, "team")
    assert table.values.tolist() == [
        ["lscmi", "(blank)", 0, 1],
        ["lscmi", "North", 1, 1],
        ["cmp", "South", 1, 1],
    ]
    categorical = spc.group_counts(frame.astype({"team": "category"}), "team")
    assert categorical.values.tolist() == table.values.tolist()


# --- benchmarks, summary and matrix ---------------------------------------------------------------------

UPW = [
    Benchmark("upw_start", "2018-19", 69.2, "SG 2018-19 T18"),
    Benchmark("upw_start", "2019-20", 72.7, "SG 2020-21 T13"),
]


def test_benchmark_lines_carry_the_latest_figure_forward_and_start_at_the_first() -> None:
    starts = pd.to_datetime(["2018-01-01", "2018-04-01", "2019-03-01", "2019-04-01", "2021-06-01"]).to_numpy()
    lines = spc.benchmark_lines(starts, UPW)
    assert lines[["position", "rate", "year"]].values.tolist() == [
        [1, 69.2, "2018-19"],
        [2, 69.2, "2018-19"],
        [3, 72.7, "2019-20"],
        [4, 72.7, "2019-20"],
    ]
    assert set(lines["source"]) == {"SG 2018-19 T18", "SG 2020-21 T13"}


def test_benchmark_comparison_in_the_summarys_words() -> None:
    # 2019-20: 81 of 100 in each of twelve months -> 81.0%.
    points = series([81] * 12, first="2019-04")
    assert (
        spc.benchmark_comparison(points, UPW, date(2020, 4, 30)) == "service 81.0%, Scotland 72.7% (2019-20)"
    )
    later = series([81] * 12, first="2020-04")  # 2020-21: no national figure yet
    assert (
        spc.benchmark_comparison(later, UPW, date(2021, 4, 30))
        == "service 81.0% (2020-21), Scotland 72.7% (2019-20)"
    )
    partial = series([81] * 3, first="2020-04")
    assert spc.benchmark_comparison(partial, UPW, date(2020, 7, 31)).startswith(
        "service 81.0% (2020-21 so far)"
    )
    assert spc.benchmark_comparison(points, [], date(2020, 4, 30)) == ""
    assert spc.benchmark_comparison(points.iloc[0:0], UPW, date(2020, 4, 30)) == "Scotland 72.7% (2019-20)"


def test_summary_and_matrix_place_each_measure_once() -> None:
    from measures import default_settings

    counts = pd.concat(
        [
            series([80, 100] * 8).assign(measure="lscmi"),  # common cause; limits 36.8-100: hit and miss
            series([50, 52] * 7 + [50, 99]).assign(measure="cmp"),  # improvement
            series([50, 52] * 3).assign(measure="audit_good"),  # run chart: no assurance
        ]
    )
    charts = spc.spc_for_measures(counts, default_settings(), "month")
    summary = spc.spc_summary(charts, {"lscmi": "service 55.0%, Scotland 60.0% (2019-20)"})
    rows = summary.set_index("measure")
    assert rows.loc["lscmi", "benchmark"].startswith("service 55.0%")
    assert rows.loc["cmp", "variation"] == "improvement"
    assert rows.loc["first_contact", "chart"] == "none"
    matrix = spc.icon_matrix(summary)
    assert matrix[("common", "hit_and_miss")] == ["lscmi"]
    assert matrix[("improvement", "fail")] == ["cmp"]  # upper limit 67.6, target 90
    assert matrix[("common", "none")] == ["audit_good"]
    assert sum(len(cell) for cell in matrix.values()) == 3
    assert len(matrix) == 12


def test_icons_in_words() -> None:
    assert spc.variation_label("improvement") == "⇧ Special cause improvement"
    assert spc.assurance_label("hit_and_miss", "xmr") == "⇅ Hit and miss"
    assert spc.assurance_label(None, "run") == "– No assurance (run chart)"
    assert spc.assurance_label(None, "xmr") == "– No assurance (no target)"


def test_rule_lengths_come_from_the_settings() -> None:
    rates = [50, 52] * 4 + [60, 61, 62, 63, 64, 65, 40]
    assert not chart(rates).points["shift"].iloc[8:14].any()  # six above: no shift of 7
    six = chart(rates, rules=SpcRules(shift_length=6))
    assert six.points["shift"].iloc[8:14].all()


def test_counting_by_team_in_the_same_pass_agrees_with_the_group_counts(monkeypatch) -> None:
    frame = statuses(
        [
            ("lscmi", "met", "2020-04-02", "2020-03-05"),
            ("lscmi", "missed", "2020-05-02", "2020-04-05"),
            ("lscmi", "met", "2020-05-09", "2020-04-12"),
            ("review_participation", "missed", "", "2020-06-30"),
        ]
    ).assign(team=["North", None, "North", "South"])
    by_team = spc.monthly_counts(frame, by="team")
    assert by_team.astype({"month_start": str}).values.tolist() == [
        ["lscmi", "2020-04-01", "North", 1, 0],
        ["lscmi", "2020-05-01", "North", 1, 0],
        ["lscmi", "2020-05-01", "(blank)", 0, 1],
        ["review_participation", "2020-06-01", "South", 0, 1],
    ]
    assert spc.group_totals(by_team).values.tolist() == spc.group_counts(frame, "team").values.tolist()
    # Summed over teams, the months are those counted without them.
    plain = spc.monthly_counts(frame)
    assert spc.period_counts(by_team, "month", date(2020, 6, 30)).equals(
        spc.period_counts(plain, "month", date(2020, 6, 30))
    )
    # Counted in chunks of rows: a chunk boundary anywhere gives the same counts.
    monkeypatch.setattr(spc, "_CHUNK", 3)
    assert spc.monthly_counts(frame, by="team").equals(by_team)


def test_dates_a_century_apart_are_counted_in_their_months() -> None:
    frame = statuses(
        [("lscmi", "met", "1950-01-31", "1950-01-03"), ("audit_good", "missed", "", "2099-12-31")]
    )
    monthly = spc.monthly_counts(frame)
    assert monthly.astype({"month_start": str}).values.tolist() == [
        ["lscmi", "1950-01-01", 1, 0],
        ["audit_good", "2099-12-01", 0, 1],
    ]


def test_dates_in_microseconds_are_counted_in_the_same_months() -> None:
    # pandas 3 parses text dates to microseconds; a frame built that way counts as the documented one does.
    frame = statuses(
        [("lscmi", "met", "2020-05-02", "2020-04-04"), ("audit_good", "missed", "", "2020-06-30")]
    )
    coarse = frame.astype({"due_date": "datetime64[us]", "from_date": "datetime64[us]"})
    assert spc.monthly_counts(coarse).astype({"month_start": str}).values.tolist() == [
        ["lscmi", "2020-05-01", 1, 0],
        ["audit_good", "2020-06-01", 0, 1],
    ]
