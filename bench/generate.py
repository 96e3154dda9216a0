"""Seeded, reproducible synthetic ticket exports and KB repositories at any scale.

Formats written:

* Jira REST v2 search JSON (``{"issues": [...]}``), like the Apache LUCENE export;
  private comments carry ``visibility`` so the reader's drop path is exercised;
* the SGCC mapped CSV: the same 53 columns, CRLF rows, LF inside cells;
* a KB repository (``kbgen.kb.init_kb`` + published articles written with
  ``kbgen.kb.dump_article`` + one git commit).

Every draw comes from one ``random.Random(seed)`` in a fixed order, so the same
seed, size and real data give byte-identical files. Usage::

    python -m bench.generate jira 10000 out/jira-10k.json --seed 7
    python -m bench.generate csv 1000 out/sgcc-1k.csv
    python -m bench.generate kb 1000 out/kb-1k
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.profile import SGCC_SECTIONS, LanguageProfile, Profile, learn_profile
from kbgen.kb import SCAFFOLD_DIR

DEFAULT_DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets_candidates"
POOL_SENTENCES = 4000
_JIRA_TIME = "%Y-%m-%dT%H:%M:%S.000+0000"
_SGCC_TIME = "%Y-%m-%d %H:%M:%S"


@dataclass
class SyntheticComment:
    body: str
    role: str  # "reporter" or "assignee"
    private: bool
    created: dt.datetime


@dataclass
class SyntheticTicket:
    number: int
    language: str
    title: str
    problem: str
    opened: dt.datetime
    resolved: dt.datetime
    category: str
    subcategory: str
    component: str
    resolution: str
    priority: str
    issue_type: str
    status: str
    comments: list[SyntheticComment] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)  # cause / fix / prevention
    labels: dict[str, str] = field(default_factory=dict)
    duplicate_of: int | None = None
    project: str = "BENCH"

    @property
    def key(self) -> str:
        return f"{self.project}-{self.number}"

    @property
    def resolution_text(self) -> str:
        """What fixed it: the SGCC fix steps, else the last public resolver comment."""
        if self.sections.get("fix"):
            return self.sections["fix"]
        public = [c.body for c in self.comments if c.role == "assignee" and not c.private]
        return public[-1] if public else ""


def _pick(rng: random.Random, counts: Counter[str]) -> str:
    if not counts:
        return ""
    keys = sorted(counts)
    return rng.choices(keys, weights=[counts[k] for k in keys])[0]


class TicketGenerator:
    """Draws tickets one at a time; memory stays flat whatever ``n`` is."""

    def __init__(
        self,
        profile: Profile,
        seed: int,
        zh_share: float | None = None,
        pii: bool = True,
        project: str = "BENCH",
    ) -> None:
        self.profile = profile
        self.project = project
        # Tickets carry synthetic e-mails and IPs at the real rate; published articles have none.
        self.pii = pii
        self.rng = random.Random(seed)
        # Default: the share of Chinese tickets across all the real exports.
        self.zh_share = profile.zh_share if zh_share is None else zh_share
        for lang in (profile.en, profile.zh):
            lang.text.build_pool(self.rng, POOL_SENTENCES, lang.sentence_tokens)
        # Duplicates in the real data cluster (one outage reported per province),
        # so a repeat copies one of the recent tickets of the same language.
        self._recent: dict[str, deque[tuple[int, str, str]]] = {
            "en": deque(maxlen=200),
            "zh": deque(maxlen=200),
        }

    def tickets(self, n: int) -> Iterator[SyntheticTicket]:
        for number in range(1, n + 1):
            yield self.ticket(number)

    def ticket(self, number: int) -> SyntheticTicket:
        rng, profile = self.rng, self.profile
        language = "zh" if rng.random() < self.zh_share else "en"
        lp = profile.language(language)
        recent = self._recent[language]
        duplicate_of = None
        if recent and rng.random() < lp.duplicate_rate:
            duplicate_of, title, problem = rng.choice(recent)
        else:
            title, problem = self._title_and_problem(lp)
            recent.append((number, title, problem))
        opened = dt.datetime.fromordinal(lp.opened_days.draw(rng)) + dt.timedelta(
            seconds=rng.randrange(86400)
        )
        resolved = opened + dt.timedelta(minutes=max(1, lp.duration_minutes.draw(rng)))
        ticket = SyntheticTicket(
            number=number,
            language=language,
            title=title,
            problem=problem,
            opened=opened,
            resolved=resolved,
            category=_pick(rng, lp.categories),
            subcategory=_pick(rng, lp.subcategories),
            component=_pick(rng, lp.components),
            resolution=_pick(rng, profile.resolutions),
            priority=_pick(rng, profile.priorities),
            issue_type=_pick(rng, profile.issue_types),
            status=_pick(rng, profile.statuses),
            labels={column: _pick(rng, counts) for column, counts in sorted(lp.labels.items())},
            duplicate_of=duplicate_of,
            project=self.project,
        )
        for key in SGCC_SECTIONS:
            if key in lp.section_presence and rng.random() < lp.section_presence[key]:
                ticket.sections[key] = self._text(lp, lp.section_chars[key].draw(rng))
        span = max(1.0, (resolved - opened).total_seconds())
        count = lp.comment_counts.draw(rng)
        for i in range(count):
            ticket.comments.append(
                SyntheticComment(
                    body=self._text(lp, lp.comment_chars.draw(rng)),
                    role="assignee" if i % 2 == 0 else "reporter",
                    private=rng.random() < lp.private_share,
                    created=opened + dt.timedelta(seconds=span * (i + 1) / (count + 1)),
                )
            )
        return ticket

    def _title_and_problem(self, lp: LanguageProfile) -> tuple[str, str]:
        rng = self.rng
        title = lp.text.compose(rng, max(4, lp.title_chars.draw(rng))).rstrip("。.")
        body = self._text(lp, max(1, lp.problem_chars.draw(rng) - len(title)))
        # SGCC titles are the first clause of 问题现象, so the problem starts with the title.
        problem = f"{title}，{body}" if lp.language == "zh" else body
        return title, problem

    def _text(self, lp: LanguageProfile, chars: int) -> str:
        text = lp.text.compose(self.rng, chars)
        if self.pii and self.rng.random() < lp.pii_rate:
            n = self.rng.randrange(1, 10000)
            contact = (
                f"user{n}@example.com"
                if self.rng.random() < 0.5
                else f"10.{n % 256}.{n // 256 % 256}.{self.rng.randrange(1, 255)}"
            )
            text = f"{text} {contact}"
        return text


# --- Jira REST JSON -------------------------------------------------------------


def _person(rng: random.Random) -> dict[str, object]:
    n = rng.randrange(1, 5000)
    return {
        "name": f"user{n}",
        "key": f"user{n}",
        "displayName": f"Synthetic User {n}",
        "emailAddress": f"user{n}@example.com",
        "active": True,
    }


def jira_issue(ticket: SyntheticTicket, rng: random.Random) -> dict[str, object]:
    issue_id = str(100000 + ticket.number)
    comments: list[object] = []
    bodies = list(ticket.comments)
    if ticket.language == "zh":  # SGCC keeps resolution text in fields; Jira keeps it in comments
        bodies = [
            SyntheticComment(ticket.sections[k], "assignee", False, ticket.resolved)
            for k in SGCC_SECTIONS
            if k in ticket.sections
        ]
    assignee, reporter = _person(rng), _person(rng)
    for i, c in enumerate(bodies, 1):
        comment: dict[str, object] = {
            "id": f"{issue_id}{i:03d}",
            "author": assignee if c.role == "assignee" else reporter,
            "body": c.body,
            "created": c.created.strftime(_JIRA_TIME),
            "updated": c.created.strftime(_JIRA_TIME),
        }
        if c.private:
            comment["visibility"] = {"type": "role", "value": "Developers"}
        comments.append(comment)
    return {
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": issue_id,
        "key": ticket.key,
        "self": f"https://jira.example.test/rest/api/2/issue/{issue_id}",
        "fields": {
            "summary": ticket.title,
            "description": ticket.problem,
            "environment": None,
            "issuetype": {"name": ticket.issue_type},
            "project": {"key": "BENCH", "name": "Synthetic benchmark"},
            "status": {"name": ticket.status},
            "resolution": {"name": ticket.resolution} if ticket.resolution else None,
            "priority": {"name": ticket.priority},
            "components": [{"name": ticket.component}] if ticket.component else [],
            "labels": [],
            "created": ticket.opened.strftime(_JIRA_TIME),
            "updated": ticket.resolved.strftime(_JIRA_TIME),
            "resolutiondate": ticket.resolved.strftime(_JIRA_TIME),
            "reporter": reporter,
            "assignee": assignee,
            "customfield_10010": ticket.category or None,
            "comment": {
                "comments": comments,
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
        },
    }


def write_jira_export(path: Path, n: int, seed: int, profile: Profile) -> Path:
    """Stream ``n`` issues into one Jira search response; memory stays flat in ``n``."""
    generator = TicketGenerator(profile, seed)
    # People come from their own stream so tickets match TicketGenerator(profile, seed) exactly.
    people = random.Random(f"people-{seed}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8") as fh:
        head = {"expand": "schema,names", "startAt": 0, "maxResults": n, "total": n}
        fh.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "issues": [\n')
        for i, ticket in enumerate(generator.tickets(n)):
            if i:
                fh.write(",\n")
            fh.write(json.dumps(jira_issue(ticket, people), ensure_ascii=False))
        fh.write("\n]}\n")
    tmp.replace(path)
    return path


# --- SGCC mapped CSV ------------------------------------------------------------


def sgcc_row(ticket: SyntheticTicket) -> dict[str, str]:
    minutes = (ticket.resolved - ticket.opened).total_seconds() / 60
    row = {
        "": str(ticket.number - 1),
        "id": str(ticket.number),
        "故障开始时间": ticket.opened.strftime(_SGCC_TIME),
        "故障结束时间": ticket.resolved.strftime(_SGCC_TIME),
        "异常类型": ticket.category,
        "异常类型细项": ticket.subcategory,
        "问题现象": ticket.problem,
        "故障组件": ticket.component,
        "原因分析": ticket.sections.get("cause", ""),
        "故障处理过程": ticket.resolution_text,
        "整改措施": ticket.sections.get("prevention", ""),
        "故障时长（小时）": repr(minutes / 60),
        "故障时长（分钟）": repr(minutes),
        "月份": f"{ticket.opened.month}月",
        "日期": str(ticket.opened.day),
        "时刻": str(ticket.opened.hour),
    }
    row.update(ticket.labels)
    return row


def write_mapped_csv(path: Path, n: int, seed: int, profile: Profile) -> Path:
    """``n`` rows with the SGCC header; copies the sources package's SGCC mapping beside it.

    All rows are Chinese, like the real file (its mapping pins ``language: zh``).
    """
    generator = TicketGenerator(profile, seed, zh_share=1.0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=profile.sgcc_header, restval="")
        writer.writeheader()
        for ticket in generator.tickets(n):
            writer.writerow(sgcc_row(ticket))
    tmp.replace(path)
    mapping = sgcc_mapping()
    if mapping is not None:
        shutil.copyfile(mapping, path.with_suffix(".yml"))
    return path


def sgcc_mapping() -> Path | None:
    """The SGCC column mapping the sources engineer ships, once it has landed."""
    found = sorted((SCAFFOLD_DIR / "site_config" / "sources").glob("sgcc*.y*ml"))
    return found[0] if found else None


# --- command line ---------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("kind", choices=("jira", "csv", "kb"))
    parser.add_argument("count", type=int, help="tickets (jira, csv) or articles (kb)")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    args = parser.parse_args(argv)
    profile = learn_profile(args.datasets)
    if args.kind == "jira":
        write_jira_export(args.out, args.count, args.seed, profile)
    elif args.kind == "csv":
        write_mapped_csv(args.out, args.count, args.seed, profile)
    else:
        from bench.kbrepo import write_kb

        write_kb(args.out, args.count, args.seed, profile)
    print(args.out)


if __name__ == "__main__":
    main()
