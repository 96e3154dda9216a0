"""The benchmark data generator: seeded, shaped like the real exports, readable by the real sources."""

from __future__ import annotations

import csv
import statistics
import subprocess
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from bench.generate import TicketGenerator, main, sgcc_mapping, write_jira_export, write_mapped_csv
from bench.kbrepo import write_kb
from bench.profile import Profile, learn_profile
from kbgen.kb import iter_article_paths, load_article, load_schema
from kbgen.sources import read_tickets
from kbgen.text import detect_language


@pytest.fixture(scope="module")
def profile(datasets: Path) -> Profile:
    return learn_profile(datasets)


@pytest.fixture(scope="module")
def tickets(profile: Profile) -> list:
    return list(TicketGenerator(profile, seed=11).tickets(3000))


def test_same_seed_gives_the_same_bytes(tmp_path: Path, profile: Profile) -> None:
    first = write_jira_export(tmp_path / "a.json", 200, 7, profile).read_bytes()
    again = write_jira_export(tmp_path / "b.json", 200, 7, profile).read_bytes()
    other = write_jira_export(tmp_path / "c.json", 200, 8, profile).read_bytes()
    assert first == again
    assert first != other
    rows = write_mapped_csv(tmp_path / "a.csv", 200, 7, profile).read_bytes()
    assert rows == write_mapped_csv(tmp_path / "b.csv", 200, 7, profile).read_bytes()


def test_profile_is_learned_from_the_real_files(profile: Profile) -> None:
    # Counts straight from the README of datasets_candidates: 10 Jira + 360 Mendeley, 1,023 SGCC.
    assert (profile.en.tickets, profile.zh.tickets) == (370, 1023)
    assert profile.resolutions == Counter(
        {"Fixed": 6, "Won't Fix": 2, "Duplicate": 1, "Incomplete": 1}
    )
    # field-notes: 244 duplicate 问题现象 texts among 1,023 rows.
    assert round(profile.zh.duplicate_rate * 1023) == 244
    assert profile.zh.categories.most_common(1) == [("信息系统运行异常", 474)]


def test_language_share_and_duplicate_rate_follow_the_real_data(
    profile: Profile, tickets: list
) -> None:
    zh = [t for t in tickets if t.language == "zh"]
    en = [t for t in tickets if t.language == "en"]
    assert abs(len(zh) / len(tickets) - profile.zh_share) < 0.03
    zh_repeats = sum(t.duplicate_of is not None for t in zh) / len(zh)
    assert abs(zh_repeats - profile.zh.duplicate_rate) < 0.04
    assert sum(t.duplicate_of is not None for t in en) / len(en) < 0.02
    # A repeat really repeats an earlier ticket's text.
    by_number = {t.number: t for t in tickets}
    repeat = next(t for t in zh if t.duplicate_of is not None)
    assert repeat.problem == by_number[repeat.duplicate_of].problem


def test_lengths_and_comment_counts_follow_the_real_data(profile: Profile, tickets: list) -> None:
    for lang in ("en", "zh"):
        mine = [t for t in tickets if t.language == lang]
        real = profile.language(lang)
        ratio = statistics.median(len(t.problem) for t in mine) / real.problem_chars.median
        assert 0.7 < ratio < 1.4, (lang, ratio)
    en = [t for t in tickets if t.language == "en"]
    counts = [len(t.comments) for t in en]
    assert abs(statistics.median(counts) - profile.en.comment_counts.median) <= 2
    comments = [c for t in en for c in t.comments]
    assert abs(sum(c.private for c in comments) / len(comments) - profile.en.private_share) < 0.03
    zh = [t for t in tickets if t.language == "zh"]
    assert all(not t.comments for t in zh)  # SGCC rows have no comment threads
    fix_share = sum("fix" in t.sections for t in zh) / len(zh)
    assert abs(fix_share - profile.zh.section_presence["fix"]) < 0.04


def test_labels_come_from_the_real_vocabularies(profile: Profile, tickets: list) -> None:
    zh = [t for t in tickets if t.language == "zh"]
    assert {t.category for t in zh} <= set(profile.zh.categories)
    assert {t.component for t in zh} <= set(profile.zh.components)
    assert Counter(t.category for t in zh).most_common(1)[0][0] == "信息系统运行异常"
    assert {t.labels["单位简称"] for t in zh} <= set(profile.zh.labels["单位简称"])


def test_no_run_of_real_text_is_copied(profile: Profile, tickets: list) -> None:
    for ticket in tickets[:600]:
        model = profile.language(ticket.language).text
        texts = [
            ticket.title,
            ticket.problem,
            *(c.body for c in ticket.comments),
            *ticket.sections.values(),
        ]
        for text in texts:
            assert model.copied_run(model.tokenize(text)) == -1, text


def test_jira_export_reads_with_the_real_jira_source(tmp_path: Path, profile: Profile) -> None:
    path = write_jira_export(tmp_path / "jira.json", 300, 3, profile)
    stream = read_tickets(path, format="jira-json")
    read = list(stream)
    made = list(TicketGenerator(profile, seed=3).tickets(300))
    assert [t.id for t in read] == [f"BENCH-{i}" for i in range(1, 301)]
    private = sum(c.private for t in made for c in t.comments if t.language == "en")
    assert stream.report.private_dropped == private > 0
    same_language = sum(r.language == m.language for r, m in zip(read, made, strict=True))
    assert same_language >= 0.95 * len(read)


def test_csv_has_the_sgcc_layout(tmp_path: Path, profile: Profile, datasets: Path) -> None:
    path = write_mapped_csv(tmp_path / "sgcc.csv", 50, 3, profile)
    with open(datasets / "sgcc_ict_fault_incidents_zh.csv", newline="", encoding="utf-8") as fh:
        real_header = next(csv.reader(fh))
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == real_header
    assert len(rows) == 51
    assert all(detect_language(row[real_header.index("问题现象")]) == "zh" for row in rows[1:])
    assert path.read_bytes().count(b"\r\n") >= 51  # CRLF rows, as in the real file


@pytest.mark.skipif(sgcc_mapping() is None, reason="sources has not shipped an sgcc mapping yet")
def test_csv_reads_with_the_real_mapping(tmp_path: Path, profile: Profile) -> None:
    path = write_mapped_csv(tmp_path / "sgcc.csv", 100, 3, profile)
    mapping = path.with_suffix(".yml")
    assert mapping.read_bytes() == sgcc_mapping().read_bytes()  # type: ignore[union-attr]
    read = list(read_tickets(path, mapping=mapping))
    made = list(TicketGenerator(profile, seed=3, zh_share=1.0).tickets(100))
    assert [t.id for t in read] == [f"SGCC-{i}" for i in range(1, 101)]
    assert [t.category for t in read] == [t.category for t in made]


def test_kb_repository_holds_valid_published_articles(tmp_path: Path, profile: Profile) -> None:
    root = write_kb(tmp_path / "kb", 30, 5, profile)
    paths = list(iter_article_paths(root / "content" / "articles"))
    assert [p.name for p in paths] == [f"KB-{i:05d}.md" for i in range(1, 31)]
    schema = load_schema()
    for path in paths:
        article = load_article(path)
        jsonschema.validate(article.meta, schema)
        assert article.status == "published"
        assert article.body.startswith("## Problem\n\n")
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True
    )
    assert log.stdout.splitlines()[0] == "Add 30 synthetic articles"
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_generate_command_prints_the_written_path(
    tmp_path: Path, datasets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "jira.json"
    main(["jira", "5", str(out), "--seed", "2", "--datasets", str(datasets)])
    assert capsys.readouterr().out == f"{out}\n"
    assert [t.id for t in read_tickets(out)] == [
        "BENCH-1",
        "BENCH-2",
        "BENCH-3",
        "BENCH-4",
        "BENCH-5",
    ]


def test_newer_source_exports_read_back_whole(tmp_path: Path) -> None:
    """Each shape the sources benchmark writes is read by kbgen's reader, every ticket."""
    from bench.data import BenchData
    from bench.exports import KINDS
    from kbgen.sources import read_tickets

    data = BenchData(work=tmp_path)
    mapping = (
        Path(__file__).resolve().parents[2]
        / "kbgen/scaffold/site_config/sources/markdown-jira-export.yml"
    )
    for kind in KINDS:
        export = data.export(kind, 12)
        options = {"mapping": mapping} if kind == "markdown" else {}
        stream = read_tickets(export, **options)
        assert len(list(stream)) == 12, kind
        assert stream.report.bad_records == [], kind
