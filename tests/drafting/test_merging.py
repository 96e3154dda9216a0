"""In-batch merging: near-identical texts join, templated but different incidents stay apart."""

from __future__ import annotations

import random

from kbgen.drafting import merging
from kbgen.drafting.merging import BatchMerger


def test_identical_texts_merge_and_report_similarity() -> None:
    merger = BatchMerger(0.8)
    _, _, fp = merger.match("Prefix queries cannot be case insensitive at all today")
    merger.add(0, fp)
    cluster, score, _ = merger.match("Prefix queries cannot be case insensitive at all today")
    assert cluster is not None and cluster.key == 0 and score == 1.0


def test_templated_incidents_in_different_provinces_stay_apart() -> None:
    a = "7月2日17:55-18:15，国网信通调度监控发现国网西藏电力所有系统监控状态异常。期间，所有系统健康运行时长指标及在线用户数指标中断，URL探测异常。"
    b = "7月3日00:25-03:20，国网信通调度监控发现I6000国网龙江电力PMS2.0系统监控状态异常。期间，系统URL探测异常，健康运行时长及在线用户数指标正常。"
    merger = BatchMerger(0.8)
    merger.add(0, merger.match(a)[2])
    assert merger.match(b)[0] is None
    assert merger.match(a)[0] is not None


def test_candidates_are_few_for_distinct_texts(monkeypatch) -> None:
    """The banded index compares a text only with candidates, not with every earlier ticket."""
    calls = {"n": 0}
    real = merging.jaccard

    def counting(a, b):
        calls["n"] += 1
        return real(a, b)

    monkeypatch.setattr(merging, "jaccard", counting)
    words = [f"w{i}" for i in range(3000)]
    rng = random.Random(7)
    merger = BatchMerger(0.8)
    for n in range(2000):
        # Shared boilerplate plus the ticket's own words, as in real exports.
        text = "the service fails after the update " + " ".join(rng.choices(words, k=30))
        cluster, _, fp = merger.match(text)
        assert cluster is None
        merger.add(n, fp)
    # All-pairs would be about 2,000,000 comparisons.
    assert calls["n"] < 20_000


def test_text_without_words_never_merges() -> None:
    merger = BatchMerger(0.8)
    assert merger.match("!!! ???") == (None, 0.0, None)
    assert merger.add(0, None) is None
