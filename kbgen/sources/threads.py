"""Threads: one utterance per row (the Mendeley helpdesk sample), grouped into tickets.

Columns: ``issueid, id, comment_seq, utr_seq, author, created, is_private,
actionbody, author_role``. Rows of one issue are grouped, ordered by
``comment_seq`` then ``utr_seq``, and each comment's sentences are joined.

``is_private = 1.0`` rows are internal and dropped here; a row whose flag is
neither 0 nor 1 has unknown visibility and is dropped too. ``author_role``
``reporter`` / ``assignee`` / ``others`` becomes reporter / resolver / other.
The first public reporter comment is the problem statement. The export has no
status, resolution or title fields; the report says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kbgen.exceptions import SourceError
from kbgen.models import Comment, Role, Ticket
from kbgen.sources.base import Source
from kbgen.sources.csvtable import CsvRecord, csv_header, csv_records
from kbgen.sources.values import ValueProblem, markdown, normalise_id, optional_datetime
from kbgen.text import clean_text, detect_language, one_line

COLUMNS = (
    "issueid",
    "id",
    "comment_seq",
    "utr_seq",
    "author",
    "created",
    "is_private",
    "actionbody",
    "author_role",
)
_ROLES: dict[str, Role] = {"reporter": "reporter", "assignee": "resolver", "others": "other"}
_PUBLIC = {"0", "0.0", "false"}
_PRIVATE = {"1", "1.0", "true"}
_GREETING = re.compile(r"^(dear|hi|hello|good (morning|afternoon|evening)|greetings)\b")
# Private sentences that carry the answer: their presence is flagged, their text never kept.
_RESOLUTION_NOTE = re.compile(r"^\s*(solution|resolution|root cause)\s*:")


@dataclass
class _Utterance:
    comment_seq: int
    utr_seq: int
    text: str
    role: Role
    created: str
    visibility: str  # "public", "private" or "unknown"


@dataclass
class _Issue:
    id: str
    first_line: int
    utterances: list[_Utterance] = field(default_factory=list)
    authors: set[str] = field(default_factory=set)
    internal_answer: bool = False


class ThreadsCsvSource(Source):
    name = "threads-csv"
    description = "one utterance per row (Mendeley helpdesk sample): issueid, comment_seq, utr_seq, is_private..."

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        header = csv_header(head)
        return all(c in header for c in ("issueid", "comment_seq", "utr_seq", "is_private"))

    def read(self, path: Path) -> Iterator[Ticket]:
        self.report.note(
            "this export has no status or resolution fields: drafting treats its tickets as "
            "unresolved unless capture.require_positive_resolution is false"
        )
        seen: set[str] = set()
        current: _Issue | None = None
        for record in csv_records(self, path, required=COLUMNS):
            try:
                issue_id = normalise_id(record.get("issueid"))
                utterance = self._utterance(record)
            except ValueProblem as exc:
                column = exc.args[1] if len(exc.args) > 1 else "issueid"
                self.bad_record(
                    SourceError(exc.args[0], path=path, record=record.where, field=column)
                )
                continue
            if current is None or current.id != issue_id:
                if current is not None:
                    yield from self._finish(current, path)
                if issue_id in seen:
                    # Streaming needs each issue's rows together; a 100,000-row file is not held whole.
                    raise SourceError(
                        f"rows of issue {issue_id} are not together; sort the file by issueid",
                        path=path,
                        record=record.where,
                        field="issueid",
                    )
                seen.add(issue_id)
                current = _Issue(issue_id, record.line)
            current.authors.add(clean_text(record.get("author")))
            if utterance.visibility != "public" and _RESOLUTION_NOTE.match(
                record.get("actionbody")
            ):
                current.internal_answer = True
            current.utterances.append(utterance)
        if current is not None:
            yield from self._finish(current, path)

    def _utterance(self, record: CsvRecord) -> _Utterance:
        def number(column: str) -> int:
            try:
                return int(normalise_id(record.get(column)))
            except (ValueProblem, ValueError):
                raise ValueProblem(
                    f"'{record.get(column)}' is not a whole number", column
                ) from None

        flag = record.get("is_private").strip().lower()
        visibility = "public" if flag in _PUBLIC else "private" if flag in _PRIVATE else "unknown"
        return _Utterance(
            comment_seq=number("comment_seq"),
            utr_seq=number("utr_seq"),
            # Only public text is kept at all; private text is never copied out of the row.
            text=record.get("actionbody") if visibility == "public" else "",
            role=_ROLES.get(record.get("author_role").strip().lower(), "other"),
            created=record.get("created"),
            visibility=visibility,
        )

    def _finish(self, issue: _Issue, path: Path) -> Iterator[Ticket]:
        issue.utterances.sort(key=lambda u: (u.comment_seq, u.utr_seq))
        comments: list[tuple[Role, str, str]] = []  # (role, created, text) of public comments
        dropped = 0
        by_comment: dict[int, list[_Utterance]] = {}
        for u in issue.utterances:
            by_comment.setdefault(u.comment_seq, []).append(u)
        for parts in by_comment.values():
            if any(u.visibility == "unknown" for u in parts):
                self.report.unknown_visibility += 1
                dropped += 1
                continue
            if any(u.visibility == "private" for u in parts):
                self.report.private_dropped += 1
                dropped += 1
                continue
            text = "\n".join(
                clean_text(u.text) for u in parts if clean_text(u.text) not in ("", ".")
            )
            if text:
                comments.append((parts[0].role, parts[0].created, text))
        flags: list[str] = []
        if issue.internal_answer and not any(role == "resolver" for role, _, _ in comments):
            flags.append("resolution-internal-only")
        problem_at = next(
            (i for i, c in enumerate(comments) if c[0] == "reporter"), 0 if comments else None
        )
        problem_text = comments.pop(problem_at)[2] if problem_at is not None else ""
        try:
            created = [optional_datetime(u.created) for u in issue.utterances[:1]]
            public = [
                Comment(markdown(text, "comment", flags), role, optional_datetime(when))
                for role, when, text in comments
            ]
        except ValueProblem as exc:
            self.bad_record(
                SourceError(str(exc), path=path, record=f"issue {issue.id}", field="created")
            )
            return
        problem = markdown(problem_text, "problem", flags)
        ticket = Ticket(
            id=issue.id,
            source=self.name,
            title=_title(problem_text, issue.id),
            problem=problem,
            opened=created[0] if created else None,
            comments=public,
            private_dropped=dropped,
            flags=flags,
            people=sorted(a for a in issue.authors if a),
        )
        ticket.language = "zh" if detect_language(problem_text) == "zh" else "en"
        yield ticket


def _title(problem: str, issue_id: str) -> str:
    """The first sentence that says something (greetings skipped); the export has no subject."""
    for sentence in problem.split("\n"):
        sentence = sentence.strip()
        if len(sentence.split()) >= 4 and not _GREETING.match(sentence.lower()):
            return one_line(sentence, 120)
    return f"Issue {issue_id}"
