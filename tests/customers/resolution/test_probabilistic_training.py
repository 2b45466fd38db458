"""How the probabilistic model learns from the data: which pairs EM trains on, how common a
homophone is, and what a level EM never saw is worth."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from hudong.customers.resolution.probabilistic import (
    features,
    febrl_records,
    homophone_frequencies,
    score_pairs,
    training_blocks,
)

FEBRL = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "febrl"


def test_homophone_frequency_counts_only_the_pairs_written_differently():
    # given six records: wangchen written 王晨 three times and "Wang Chen" once, lili written
    # 李丽 twice (never otherwise), and one record without a name
    records = pa.table(
        {
            "pinyin": ["wangchen"] * 4 + ["lili"] * 2,
            "name_key": ["王晨", "王晨", "王晨", "wangchen", "李丽", "李丽"],
        }
    )

    # when the frequencies for the level "same pinyin" are computed
    table = homophone_frequencies(records)
    tf = {row["pinyin"]: row["tf_pinyin"] for row in table.to_pylist()}

    # then wangchen counts its 3 pairs written two ways ((4² - 3² - 1²) / 2), not its 6
    # pairs, as a frequency of (16 - 10) / (6 · 4); lili, never written two ways, one pair
    assert tf["wangchen"] == pytest.approx(6 / 24)
    assert tf["lili"] == pytest.approx(2 / 12)
    assert tf["wangchen"] < 4 / 6  # less than its share of the records


def test_em_trains_on_birth_dates_and_homes_and_falls_back_to_pinyin():
    # given records with birth dates and homes, and records with neither
    full = features(
        pa.table(
            {
                "unique_id": [1, 2],
                "name": ["王晨", "李丽"],
                "birth_date": ["1980-01-01", "1990-02-02"],
                "city": ["北京市", "上海市"],
                "street": ["建国路1号", "南京路2号"],
            }
        )
    )
    bare = features(pa.table({"unique_id": [1, 2], "name": ["王晨", "李丽"]}))

    # when the EM sessions are chosen
    # then the first (which sets the prior) blocks on the birth date, the second on the home;
    # without either, on the pinyin name
    assert [columns for _label, columns in training_blocks(full)] == [["birth"], ["place_key"]]
    assert [columns for _label, columns in training_blocks(bare)] == [["pinyin"]]


@pytest.mark.skipif(not (FEBRL / "dataset1.csv").exists(), reason="FEBRL data not present")
def test_a_phone_no_pair_shares_costs_nothing_when_two_records_differ_in_it():
    # given FEBRL dataset 1 where every record has a phone of its own (deterministic
    # resolution has merged any two that shared one)
    records, _truth = febrl_records(FEBRL / "dataset1.csv")
    phones = [[f"+86138{i:08d}"] for i in range(records.num_rows)]
    records = records.append_column("phones", pa.array(phones, pa.list_(pa.string())))

    # when the model trains on them
    scored = score_pairs(records)

    # then two different phones weigh nothing against a pair, and a shared phone would still
    # weigh strongly for it
    weights = {scored.labels["phones"][g]: w for g, w in scored.weights["phones"].items()}
    assert scored.trained
    assert abs(weights["different"]) < 0.01
    assert weights["a phone in common"] > 5
