"""The cheap text similarity behind clusters: English words and Chinese character pairs."""

from __future__ import annotations

from kbgen.loop.clusters import (
    cluster_texts,
    normalise_query,
    shingles,
    similar_pairs,
    text_similarity,
)


def test_shingles_for_english_and_chinese() -> None:
    assert shingles("The printers are OFFLINE again") == frozenset({"printer", "offline"})
    assert shingles("打印机离线") == frozenset({"打印", "印机", "机离", "离线"})
    # Numbers say nothing about the problem; a lone Han character is kept as itself.
    assert shingles("VPN 断开 3 次") == frozenset({"vpn", "断开", "次"})


def test_similarity_is_symmetric_overlap() -> None:
    assert text_similarity("printer offline", "offline printer") == 1.0
    assert text_similarity("printer offline", "vpn drops") == 0.0
    assert text_similarity("", "anything") == 0.0


def test_identical_texts_always_share_a_cluster() -> None:
    texts = [
        "协同办公系统运行缓慢",
        "VPN drops every hour!",
        "协同办公系统运行缓慢",
        "vpn drops every hour",
    ]
    clusters = cluster_texts(texts, lambda t: t, 0.5)
    assert [c.items for c in clusters] == [
        ["协同办公系统运行缓慢", "协同办公系统运行缓慢"],
        ["VPN drops every hour!", "vpn drops every hour"],
    ]


def test_empty_texts_are_not_merged_together() -> None:
    assert len(cluster_texts(["", "", "???"], lambda t: t, 0.5)) == 3


def test_similar_pairs_orders_keys_and_scores() -> None:
    pairs = similar_pairs([("B", "reset a password"), ("A", "password reset"), ("C", "vpn")], 0.9)
    assert pairs == [("A", "B", 1.0)]


def test_normalised_queries() -> None:
    assert normalise_query("  VPN\u3000Certificate  ") == "vpn certificate"
