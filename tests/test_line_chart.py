"""The plain-character step chart, drawn by hand."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from tco.report.line_chart import line_chart


def dollars(v: Decimal) -> str:
    return f"${v}"


def test_steps_gaps_and_crossings_drawn_in_plain_characters():
    lines = line_chart("Cost", ["2026-01-01", "2026-03-01", "2026-06-01"],
                       [("x", [Decimal(1), Decimal(3), None]), ("y", [Decimal(3), Decimal(3), Decimal(2)])],
                       dollars, width=40, height=5)
    assert lines == [
        "Cost",
        "$3 |BBBBBBBBBBBB************",
        "   |            |           |",
        "   |            |           BBBBBBBBBBBB",
        "   |            |",
        "$1 |AAAAAAAAAAAA",
        "   ++-----------+-----------+-----------",
        "    2026-01-01  2026-03-01  2026-06-01",
        "A  x",
        "B  y",
        "*  two or more series in one place: A+B",
    ]


def test_labels_that_do_not_fit_are_left_out():
    labels = [f"2026-0{m}-01" for m in range(1, 8)]
    lines = line_chart("Cost", labels, [("x", [Decimal(m) for m in range(1, 8)])], dollars, width=40, height=3)
    assert all(len(line) <= 40 for line in lines)
    assert lines[-3:-1] == ["   ++----+----+----+----+----+----+-----", "    2026-01-01     2026-04-01"]


def test_one_value_is_one_row_and_no_value_says_so():
    assert line_chart("Cost", ["a", "b"], [("x", [Decimal(2), Decimal(2)])], dollars, width=20)[1] == "$2 |AAAAAAAAAAAAAAAA"
    assert line_chart("Cost", ["a"], [("x", [None])], dollars) == ["Cost", "(nothing to draw: no series has a value)"]


@given(st.integers(40, 120), st.integers(1, 12),
       st.lists(st.lists(st.one_of(st.none(), st.decimals(0, 10_000, places=4)), min_size=1, max_size=150),
                min_size=1, max_size=30))
@example(40, 5, [[Decimal(i) for i in range(100)]])  # more points than columns
def test_no_line_is_wider_than_asked_whatever_the_series(width, height, values):
    points = max(len(v) for v in values)
    series = [(f"candidate {k}", v + [None] * (points - len(v))) for k, v in enumerate(values)]
    lines = line_chart("Cost", [f"2026-01-{i:02}" for i in range(points)], series, dollars, width, height)
    assert all(len(line) <= width for line in lines)
