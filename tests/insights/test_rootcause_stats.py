"""The arithmetic of the root-cause analysis on hand-made counts: Pareto shares, lift and the
one-sided binomial p-value."""

from __future__ import annotations

import math

import pytest

from hudong.insights.rootcause.stats import over_representation, p_value, pareto


def test_pareto_orders_by_count_and_accumulates_the_shares() -> None:
    rows = pareto({"late": 6, "damage": 3, "billing": 1, "none": 0}, {"late": "Late"})
    assert [r.key for r in rows] == ["late", "damage", "billing"]
    assert rows[0].label == "Late" and rows[1].label == "damage"
    assert [r.count for r in rows] == [6, 3, 1]
    assert [round(r.share, 2) for r in rows] == [0.6, 0.3, 0.1]
    assert [round(r.cumulative, 2) for r in rows] == [0.6, 0.9, 1.0]


def test_pareto_of_nothing_is_empty() -> None:
    assert pareto({}) == []


def test_the_p_value_is_the_binomial_upper_tail() -> None:
    # P(X >= 2) for X ~ Bin(2, 0.5) = 0.25; P(X >= 0) = 1
    assert p_value(2, 2, 0.5) == pytest.approx(0.25)
    assert p_value(0, 10, 0.3) == 1.0
    # P(X >= 3) for Bin(3, 0.1) = 0.001
    assert p_value(3, 3, 0.1) == pytest.approx(0.001)
    # and by hand for Bin(10, 0.2), X >= 5
    tail = sum(math.comb(10, k) * 0.2**k * 0.8 ** (10 - k) for k in range(5, 11))
    assert p_value(5, 10, 0.2) == pytest.approx(tail)


def test_a_key_with_more_complaints_than_its_share_is_flagged_and_first() -> None:
    # Given 3% of the volume behind 30 of 100 complaints, the rest spread evenly
    complaints = {"suda": 30, "sf": 35, "zto": 35}
    volume = {"suda": 300, "sf": 4850, "zto": 4850}
    rows = over_representation(complaints, volume)
    top = rows[0]
    # Then suda is first, with a lift of 0.30 / 0.03 = 10, and very significant
    assert top.key == "suda" and top.significant
    assert top.complaint_share == pytest.approx(0.30)
    assert top.volume_share == pytest.approx(0.03)
    assert top.lift == pytest.approx(10.0)
    assert top.p_value is not None and top.p_value < 1e-10
    # And the others, below their share, are not flagged
    assert not any(r.significant for r in rows[1:])
    assert all(r.lift is not None and r.lift < 1 for r in rows[1:])


def test_a_handful_of_complaints_is_never_flagged() -> None:
    # 4 complaints all on a 1% key: a low p-value, but under the minimum count
    rows = over_representation({"tiny": 4}, {"tiny": 1, "big": 99})
    tiny = next(r for r in rows if r.key == "tiny")
    assert tiny.p_value is not None and tiny.p_value < 0.01
    assert not tiny.significant


def test_complaints_without_volume_have_no_lift() -> None:
    rows = over_representation({"ghost": 3, "a": 5}, {"a": 10})
    ghost = next(r for r in rows if r.key == "ghost")
    assert ghost.lift is None and ghost.p_value is None and not ghost.significant
    assert rows[-1].key == "ghost"
