"""What real tickets look like, learned at run time from ../shared/datasets_candidates/.

Only statistics and token chains are kept: histograms of lengths, comment
counts and durations, category frequencies, the share of English and Chinese
tickets, the duplicate rate and how often text carries an e-mail address or an
IP. The texts themselves stay in the real files.

English tickets come from the Apache Jira export and the Mendeley helpdesk
utterances; Chinese tickets from the State Grid (SGCC) incident file; English
categories from the ServiceNow event log (the only English file that has them).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.textmodel import TextModel, _split_sentences, _tokenize_en, _tokenize_zh
from kbgen.text import is_missing

JIRA_FILE = "apache_jira_rest_search_LUCENE-1_to_10.json"
MENDELEY_FILE = "mendeley_helpdesk_sample_utterances.csv"
SGCC_FILE = "sgcc_ict_fault_incidents_zh.csv"
SERVICENOW_FILE = "servicenow_incident_event_log_partial.csv"

# ASCII classes and lookarounds: in Chinese text \w and \b also match Han characters.
_PII = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
    r"|(?<![0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![0-9.])"
)
# Also host names and bare "@domain" fragments: internal hosts are as private as addresses.
_URL = re.compile(
    r"(?:https?|ftp)://\S+|www\.\S+|@[A-Za-z0-9.-]+"
    r"|(?<![A-Za-z0-9.-])(?:[A-Za-z0-9-]+\.)+(?:com|cn|net|org|local|corp|intra)(?![A-Za-z0-9])"
)


def scrub(text: str) -> str:
    """Drop real e-mail addresses, IPs and URLs before learning: they must never be generated.

    The generator adds its own synthetic ones (example.com, 10.x) at the learned rate.
    """
    return _URL.sub(" ", _PII.sub(" ", text))


_QUANTILE_BINS = 20


@dataclass
class Histogram:
    """An empirical distribution as equal-mass quantile bins; draws are uniform inside a bin."""

    edges: list[int]

    @classmethod
    def of(cls, values: list[int]) -> Histogram:
        if not values:
            return cls([0, 0])
        ordered = sorted(values)
        last = len(ordered) - 1
        return cls([ordered[round(last * i / _QUANTILE_BINS)] for i in range(_QUANTILE_BINS + 1)])

    def draw(self, rng: random.Random) -> int:
        i = rng.randrange(len(self.edges) - 1)
        return rng.randint(self.edges[i], self.edges[i + 1])

    @property
    def median(self) -> int:
        return self.edges[len(self.edges) // 2]


@dataclass
class LanguageProfile:
    """Distributions for the tickets of one language."""

    language: str
    tickets: int  # real tickets the figures were learned from
    title_chars: Histogram
    problem_chars: Histogram
    comment_counts: Histogram
    comment_chars: Histogram
    private_share: float  # of comments
    # Structured resolution fields (SGCC 原因分析/故障处理过程/整改措施): chance present, length.
    section_presence: dict[str, float]
    section_chars: dict[str, Histogram]
    duplicate_rate: float  # share of tickets whose problem text repeats an earlier ticket's
    pii_rate: float  # share of texts carrying an e-mail address or an IPv4 address
    opened_days: Histogram  # proleptic ordinals of the opening dates
    duration_minutes: Histogram
    categories: Counter[str]
    subcategories: Counter[str]
    components: Counter[str]
    text: TextModel
    sentence_tokens: list[int] = field(default_factory=list)
    # Other label columns of the export (SGCC: 单位简称, 影响对象...), by column name.
    labels: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass
class Profile:
    """Everything the generator samples from, plus language-independent Jira fields."""

    en: LanguageProfile
    zh: LanguageProfile
    resolutions: Counter[str]
    priorities: Counter[str]
    issue_types: Counter[str]
    statuses: Counter[str]
    sgcc_header: list[str]

    @property
    def zh_share(self) -> float:
        return self.zh.tickets / (self.zh.tickets + self.en.tickets)

    def language(self, code: str) -> LanguageProfile:
        return self.zh if code == "zh" else self.en


def learn_profile(datasets: Path) -> Profile:
    """Read the four real files and return their distributions."""
    jira = json.loads((datasets / JIRA_FILE).read_text(encoding="utf-8"))["issues"]
    en = _learn_english(
        jira, _read_csv(datasets / MENDELEY_FILE), _read_csv(datasets / SERVICENOW_FILE)
    )
    sgcc = _read_csv(datasets / SGCC_FILE)
    zh = _learn_chinese(sgcc)
    fields = [issue["fields"] for issue in jira]
    return Profile(
        en=en,
        zh=zh,
        resolutions=Counter((f.get("resolution") or {}).get("name", "Unresolved") for f in fields),
        priorities=Counter((f.get("priority") or {}).get("name", "Major") for f in fields),
        issue_types=Counter((f.get("issuetype") or {}).get("name", "Bug") for f in fields),
        statuses=Counter((f.get("status") or {}).get("name", "Closed") for f in fields),
        sgcc_header=list(sgcc[0]),
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _duplicate_rate(texts: list[str]) -> float:
    seen: set[str] = set()
    repeats = 0
    for text in texts:
        key = text.strip()
        if key in seen:
            repeats += 1
        seen.add(key)
    return repeats / len(texts) if texts else 0.0


def _pii_rate(texts: list[str]) -> float:
    return sum(1 for t in texts if _PII.search(t)) / len(texts) if texts else 0.0


def _parse_time(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def _sentence_tokens(texts: list[str], language: str) -> list[int]:
    tokenize = _tokenize_zh if language == "zh" else _tokenize_en
    counts = [len(tokenize(s)) for t in texts for s in _split_sentences(t, language)]
    return [min(c, 60) for c in counts if c >= 2]


def _learn_english(
    jira: list[dict], utterances: list[dict[str, str]], servicenow: list[dict[str, str]]
) -> LanguageProfile:
    titles: list[str] = []
    problems: list[str] = []
    comment_counts: list[int] = []
    comments: list[str] = []
    private = 0
    opened: list[dt.datetime] = []
    durations: list[int] = []
    components: Counter[str] = Counter()
    for issue in jira:
        f = issue["fields"]
        titles.append(f.get("summary") or "")
        problems.append(f.get("description") or "")
        bodies = [c.get("body") or "" for c in (f.get("comment") or {}).get("comments", [])]
        comment_counts.append(len(bodies))
        comments.extend(bodies)
        components.update(c["name"] for c in f.get("components") or [])
        if (start := _parse_time(f.get("created") or "")) is not None:
            opened.append(start)
    # Mendeley: one row per sentence; rebuild comments by issue -> comment_seq -> utr_seq.
    threads: dict[str, dict[int, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in utterances:
        threads[row["issueid"]][int(float(row["comment_seq"]))].append(row)
    for thread in threads.values():
        ordered = [thread[seq] for seq in sorted(thread)]
        texts = [
            " ".join(u["actionbody"] for u in sorted(c, key=lambda u: int(u["utr_seq"])))
            for c in ordered
        ]
        is_private = [c[0]["is_private"] == "1.0" for c in ordered]
        first = next((i for i, c in enumerate(ordered) if c[0]["author_role"] == "reporter"), 0)
        problems.append(texts[first])
        rest = [t for i, t in enumerate(texts) if i != first]
        comment_counts.append(len(rest))
        comments.extend(rest)
        private += sum(p for i, p in enumerate(is_private) if i != first)
        times = [t for c in ordered if (t := _parse_time(c[0]["created"])) is not None]
        if times:
            opened.append(times[0])
            durations.append(int((times[-1] - times[0]).total_seconds() // 60))
    categories, subcategories = _servicenow_categories(servicenow)
    all_text = titles + problems + comments
    return LanguageProfile(
        language="en",
        tickets=len(jira) + len(threads),
        title_chars=Histogram.of([len(t) for t in titles]),
        problem_chars=Histogram.of([len(t) for t in problems]),
        comment_counts=Histogram.of(comment_counts),
        comment_chars=Histogram.of([len(c) for c in comments]),
        private_share=private / max(1, len(comments)),
        section_presence={},
        section_chars={},
        duplicate_rate=_duplicate_rate(problems),
        pii_rate=_pii_rate(all_text),
        opened_days=Histogram.of([d.toordinal() for d in opened]),
        duration_minutes=Histogram.of(durations),
        categories=categories,
        subcategories=subcategories,
        components=components,
        text=TextModel.learn([scrub(t) for t in all_text], "en"),
        sentence_tokens=_sentence_tokens(all_text, "en"),
    )


def _servicenow_categories(rows: list[dict[str, str]]) -> tuple[Counter[str], Counter[str]]:
    last: dict[str, dict[str, str]] = {}
    for row in rows:  # the audit log has many rows per incident; keep its last state
        last[row["number"]] = row
    categories = Counter(r["category"] for r in last.values() if not is_missing(r["category"]))
    subcategories = Counter(
        r["subcategory"] for r in last.values() if not is_missing(r["subcategory"])
    )
    return categories, subcategories


SGCC_LABELS = ("单位简称", "影响对象", "部署类型", "形成原因", "形成原因细类", "监控发现方式")
SGCC_SECTIONS = {"cause": "原因分析", "fix": "故障处理过程", "prevention": "整改措施"}


def _learn_chinese(rows: list[dict[str, str]]) -> LanguageProfile:
    problems = [r["问题现象"] for r in rows if not is_missing(r["问题现象"])]
    # SGCC has no title column; a reader titles a ticket with the first clause of 问题现象.
    titles = [re.split(r"[，。,；;\n]", p.strip(), maxsplit=1)[0] for p in problems]
    presence: dict[str, float] = {}
    lengths: dict[str, Histogram] = {}
    texts = list(problems)
    for key, column in SGCC_SECTIONS.items():
        present = [r[column] for r in rows if not is_missing(r[column])]
        presence[key] = len(present) / len(rows)
        lengths[key] = Histogram.of([len(t) for t in present])
        texts.extend(present)
    opened: list[int] = []
    durations: list[int] = []
    for row in rows:
        start, end = _parse_time(row["故障开始时间"]), _parse_time(row["故障结束时间"])
        if start is not None:
            opened.append(start.toordinal())
            if end is not None and end >= start:
                durations.append(int((end - start).total_seconds() // 60))

    def labels(column: str) -> Counter[str]:
        return Counter(r[column] for r in rows if not is_missing(r[column]))

    return LanguageProfile(
        language="zh",
        tickets=len(rows),
        title_chars=Histogram.of([len(t) for t in titles]),
        problem_chars=Histogram.of([len(p) for p in problems]),
        comment_counts=Histogram.of([0]),
        comment_chars=Histogram.of([0]),
        private_share=0.0,
        section_presence=presence,
        section_chars=lengths,
        duplicate_rate=_duplicate_rate(problems),
        pii_rate=_pii_rate(texts),
        opened_days=Histogram.of(opened),
        duration_minutes=Histogram.of(durations),
        categories=labels("异常类型"),
        subcategories=labels("异常类型细项"),
        components=labels("故障组件"),
        text=TextModel.learn([scrub(t) for t in texts], "zh"),
        sentence_tokens=_sentence_tokens(texts, "zh"),
        labels={column: labels(column) for column in SGCC_LABELS},
    )
