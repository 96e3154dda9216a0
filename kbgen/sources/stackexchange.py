"""Stack Exchange-style Q&A: questions and answers, where the accepted answer is the resolution.

Accepted files (one file, or a folder of them; answers may sit before or after
their question, in the same file or another):

* the data dump's ``Posts.xml`` (``<row PostTypeId="1" .../>``), streamed with
  ``iterparse``; tags in both dump formats (``<a><b>`` and ``|a|b|``);
* API 2.3 JSON (``{"items": [...], "has_more": ...}``): questions with
  ``question_id``, answers with ``answer_id`` and ``is_accepted``, or questions
  with embedded ``answers``; API strings are HTML-entity encoded;
* one array (or JSON Lines) holding question and answer records together, as
  converted dumps have them (``Id``, ``PostTypeId``, ``ParentId``,
  ``AcceptedAnswerId``); their ``Body`` may be HTML or Markdown.

A question with an accepted answer is ``answered`` and that answer becomes the
resolution; other answers stay as comments (by the asker: ``reporter``). A
question closed without an accepted answer carries its close reason (e.g.
``Duplicate``); an open one without an accepted answer is still open. Tag
wikis and other post types are not tickets and are only counted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Ticket
from kbgen.sources.base import Source
from kbgen.sources.formats import to_markdown, to_plain
from kbgen.sources.joins import ChildIndex, child_index
from kbgen.sources.jsonstream import JsonValues
from kbgen.sources.posts import Post, attach_posts, set_language
from kbgen.sources.textio import files_to_read, open_text
from kbgen.sources.values import obj, timestamp

QUESTION, ANSWER = "1", "2"
_HTML_BLOCK = re.compile(r"<(?:p|pre|ul|ol|blockquote|h[1-6]|div|br)\b", re.IGNORECASE)


def _text_format(body: str, default: str) -> str:
    """Dumps and the API give HTML; converted exports may give Markdown."""
    if default == "html":
        return "html"
    return "html" if _HTML_BLOCK.search(body[:2000]) else "markdown"


def _kind(record: dict[str, Any]) -> str:
    """QUESTION, ANSWER, or another post type ("" when the record is not a post)."""
    if "PostTypeId" in record:
        return str(record.get("PostTypeId") or "").strip()
    if "answer_id" in record:
        return ANSWER
    if "question_id" in record:
        return QUESTION
    return ""


def _normalised(record: dict[str, Any], default_format: str) -> dict[str, Any]:
    """The fields kbgen reads, from dump attributes or API keys."""
    owner = obj(record.get("owner"))
    name = str(record.get("OwnerDisplayName") or owner.get("display_name") or "")
    body = str(record.get("Body") or record.get("body") or "")
    return {
        "id": str(record.get("Id") or record.get("answer_id") or record.get("question_id") or ""),
        "parent": str(record.get("ParentId") or record.get("question_id") or ""),
        "body": body,
        "format": _text_format(body, default_format),
        "author": name or str(record.get("OwnerUserId") or owner.get("user_id") or ""),
        "names": [name] if name else [],
        "created": record.get("CreationDate") or record.get("creation_date"),
        "accepted": record.get("is_accepted") is True,
    }


class StackExchangeSource(Source):
    name = "stackexchange"
    description = (
        "Stack Exchange-style Q&A: data-dump Posts.xml, API JSON, or question+answer arrays"
    )
    reads_folders = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        if text.lstrip().startswith("<"):
            return "<posts" in text and "PostTypeId=" in text
        return '"PostTypeId"' in text or '"question_id"' in text

    def read(self, path: Path) -> Iterator[Ticket]:
        files = files_to_read(path, "question")
        self._other_posts = 0
        with child_index() as answers:
            for file in files:  # pass 1: answers, by their question
                for _, record, fmt in self._records(file):
                    if _kind(record) == ANSWER:
                        answer = _normalised(record, fmt)
                        answers.add(answer["parent"], answer, sort=str(answer["created"] or ""))
            for file in files:  # pass 2: questions, each with its answers
                for where, record, fmt in self._records(file):
                    kind = _kind(record)
                    if kind == ANSWER:
                        continue
                    if kind != QUESTION:
                        if kind:
                            self._other_posts += 1
                        else:
                            self.bad_record(
                                SourceError(
                                    "not a question or an answer (no PostTypeId, question_id or "
                                    "answer_id); check --format",
                                    path=file,
                                    record=where,
                                )
                            )
                        continue
                    try:
                        yield self._question(record, fmt, answers, file, where)
                    except SourceError as exc:
                        self.bad_record(exc)
            if orphans := answers.unclaimed():
                self.report.note(
                    f"{orphans} answers belong to questions that are not in the export"
                )
        if self._other_posts:
            self.report.note(
                f"posts that are neither questions nor answers (tag wikis, nominations) were left "
                f"out: {self._other_posts}"
            )

    def _records(self, file: Path) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(where, record, default text format) for every post of a file."""
        if file.suffix.lower() == ".xml":
            yield from _xml_rows(file, self.encoding)
            return
        for item in JsonValues(file, ("items",), self.encoding).items():
            where = f"item {item.index + 1} of {file.name}"
            if not isinstance(item.value, dict):
                self.bad_record(SourceError("not an object", path=file, record=where))
                continue
            # API strings are HTML; a converted dump's Body may be either.
            yield where, item.value, "html" if "question_id" in item.value else "auto"

    def _question(
        self, raw: dict[str, Any], fmt: str, answers: ChildIndex, path: Path, where: str
    ) -> Ticket:
        question = _normalised(raw, fmt)
        question_id = question["id"]
        if not question_id:
            raise SourceError("the question has no id", path=path, record=where, field="Id")
        where = f"{where} (question {question_id})"
        accepted_id = str(raw.get("AcceptedAnswerId") or raw.get("accepted_answer_id") or "")
        embedded = [_normalised(a, fmt) for a in raw.get("answers") or [] if isinstance(a, dict)]
        thread = embedded + answers.children(question_id)
        flags: list[str] = []
        people: list[str] = []
        closed = raw.get("ClosedDate") or raw.get("closed_date")
        has_accepted = any(
            a["accepted"] or (accepted_id and a["id"] == accepted_id) for a in thread
        )
        close_reason = str(raw.get("closed_reason") or "") or ("closed" if closed else "")
        title = raw.get("Title") if "Title" in raw else raw.get("title")
        ticket = Ticket(
            id=question_id,
            source=self.name,
            title=to_plain(title, "html"),
            problem=to_markdown(
                question["body"], question["format"], field="Body", flags=flags, people=people
            ),
            url=_link(raw.get("link")),
            resolution_status="answered" if has_accepted else close_reason,
            status="answered" if has_accepted else "closed" if closed else "open",
            tags=_tags(raw.get("Tags", raw.get("tags"))),
            opened=timestamp(question["created"], path=path, record=where, field="CreationDate"),
            closed=timestamp(closed, path=path, record=where, field="ClosedDate"),
            flags=flags,
            people=people + question["names"],
        )
        if accepted_id and not has_accepted:
            flags.append("accepted-answer-missing: the accepted answer is not in the export")
        posts = [
            Post(
                body=a["body"],
                text_format=a["format"],
                author=a["author"],
                names=a["names"],
                created=timestamp(
                    a["created"], path=path, record=where, field="answer.CreationDate"
                ),
                accepted=a["accepted"] or (bool(accepted_id) and a["id"] == accepted_id),
            )
            for a in thread
        ]
        attach_posts(ticket, posts, self.report, reporters=[question["author"]])
        return set_language(ticket)


def _xml_rows(path: Path, encoding: str | None) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``<row .../>`` elements of a dump file, one at a time (memory stays flat)."""
    with open_text(path, encoding) as fh:
        root: ET.Element | None = None
        number = 0
        try:
            for event, element in ET.iterparse(fh, events=("start", "end")):
                if root is None:
                    root = element
                if event == "end" and element.tag == "row":
                    number += 1
                    yield f"row {number} of {path.name}", dict(element.attrib), "html"
                    root.clear()  # drop finished rows: the document is never held whole
        except ET.ParseError as exc:
            line, _column = exc.position
            raise SourceError(
                f"not valid XML ({exc}); export it again", path=path, record=f"line {line}"
            ) from None


def _tags(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value or "").strip()
    if text.startswith("|"):
        parts = text.strip("|").split("|")
    else:
        parts = re.findall(r"<([^<>]+)>", text) or text.split()
    return [p.strip() for p in parts if p.strip()]


def _link(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith("https://") else ""
