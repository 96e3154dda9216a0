"""find_similar (drafting's reuse check) and similarity (in-batch merging)."""

from __future__ import annotations

import pytest

from kbgen.kb import KnowledgeBase
from kbgen.search import build_index, find_similar, similarity, update_index
from kbgen.search.terms import SimilarityIndex, StoredDoc
from kbgen.search.tokens import segment, tokenize

from .conftest import WriteArticle


@pytest.fixture
def sample(kb: KnowledgeBase, write: WriteArticle) -> KnowledgeBase:
    write("KB-0001", "Printer shows offline after Windows update", "Restart the print spooler.")
    write("KB-0002", "VPN disconnects every 10 minutes", "Update the VPN client to 5.2.")
    write(
        "KB-0003", "打印机无法打印，队列卡住", "重启打印后台处理程序服务，清空队列。", language="zh"
    )
    write("KB-0004", "Outlook password prompt loops", "Clear cached credentials.", status="draft")
    write("KB-0005", "Outlook password prompt on old clients", "Upgrade.", status="retired")
    return kb


def test_find_similar_ranks_the_matching_article_first_with_a_normalised_score(
    sample: KnowledgeBase,
) -> None:
    hits = find_similar(sample, "My printer is offline since the Windows update yesterday")
    assert hits[0].id == "KB-0001"
    assert hits[0].path == "content/articles/kb-0001.md"
    assert 0.5 < hits[0].score <= 1.0
    assert all(0.0 <= h.score <= hits[0].score for h in hits)


def test_find_similar_includes_drafts_but_not_retired_articles(sample: KnowledgeBase) -> None:
    assert [h.id for h in find_similar(sample, "outlook keeps asking for my password")] == [
        "KB-0004"
    ]


def test_find_similar_chinese(sample: KnowledgeBase) -> None:
    hits = find_similar(sample, "打印机队列卡住，无法打印")
    assert [h.id for h in hits] == ["KB-0003"]
    assert hits[0].score > 0.7


def test_find_similar_with_nothing_in_common(sample: KnowledgeBase) -> None:
    assert find_similar(sample, "kerberos ticket expired") == []
    assert find_similar(sample, "") == []


def test_update_index_is_seen_by_the_loaded_similarity_index(
    sample: KnowledgeBase, write: WriteArticle
) -> None:
    build_index(sample)
    assert find_similar(sample, "teams camera not detected") == []  # loads the index
    path = write("KB-0006", "Teams camera not detected", "Allow camera access in settings.")
    update_index(sample, [path])
    assert [h.id for h in find_similar(sample, "teams camera not detected")] == ["KB-0006"]
    path.unlink()
    update_index(sample, [path])
    assert find_similar(sample, "teams camera not detected") == []


def test_similarity_is_symmetric_and_bounded() -> None:
    assert similarity("printer offline", "the printer is offline") == 1.0
    assert similarity("打印机无法打印", "打印机不能打印") == similarity(
        "打印机不能打印", "打印机无法打印"
    )
    assert 0.5 < similarity("打印机无法打印", "打印机不能打印") < 1.0
    assert similarity("vpn drops", "printer offline") == 0.0
    assert similarity("", "anything") == 0.0


def test_tokens_cut_han_runs_once_and_keep_latin_words() -> None:
    assert segment("打印机ABC") == " 打印 印机 打印机 abc"
    assert tokenize("The IMS接SAP link, v2.3!") == ["ims", "接", "sap", "link", "v2.3"]


def test_candidate_step_finds_rare_terms_among_many_documents() -> None:
    """Thousands of look-alike documents: the rare words still decide."""
    docs = [
        StoredDoc(f"a/{i}.md", f"KB-{i:04d}", f"t{i}", "published", {"printer": 1, "offline": 1})
        for i in range(3000)
    ]
    docs.append(
        StoredDoc("a/x.md", "KB-9999", "x", "published", {"printer": 1, "spooler": 2, "offline": 1})
    )
    index = SimilarityIndex.load(docs)
    from collections import Counter

    ranked = index.query(Counter({"printer": 1, "spooler": 1}), limit=3)
    assert ranked[0][0].id == "KB-9999"
    assert (
        index.related("a/x.md", {d.path for d in docs}, limit=2) == []
    )  # only common terms shared
