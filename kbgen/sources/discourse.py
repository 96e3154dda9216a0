"""Discourse forum topics: ``/t/{id}.json`` as the API returns it, or flat post lists.

Accepted files (one file, or a folder of them):

* a topic object (``post_stream.posts`` with ``cooked`` HTML), an array of them,
  or a folder with one topic per file (what forum dump scripts write);
* a flat array (or JSON Lines) of posts that carry ``topic_id`` (``/posts.json``
  and ``/t/{id}/posts.json`` answers); they are grouped into topics.

The first post is the problem, written by the reporter. The accepted answer
(the solved plugin's ``accepted_answer`` on a post, the topic's
``accepted_answer.post_number``, or the older ``accepted_answer_post_id``)
becomes the resolution. Posts by staff, admins and moderators are the
resolver's; other posts by the topic's author are the reporter's. Whispers
(``post_type`` 4) and hidden or deleted posts are internal and dropped;
small-action posts ("closed the topic") are not conversation. Private-message
topics are skipped whole. Without the solved plugin's keys a topic has no
resolution word: set ``capture.require_positive_resolution: false`` to draft
such forums.

A topic file holds only the first 20 posts; the rest are listed in
``post_stream.stream``. A topic missing posts is captured with what it has and
flagged for the reviewer (``--strict`` refuses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kbgen.exceptions import SourceError
from kbgen.models import Ticket
from kbgen.sources.base import Source, comments_incomplete_flag
from kbgen.sources.formats import to_markdown, to_plain
from kbgen.sources.joins import child_index
from kbgen.sources.jsonstream import JsonValues
from kbgen.sources.posts import Post, attach_posts, names_of, set_language
from kbgen.sources.textio import files_to_read
from kbgen.sources.values import obj, timestamp

REGULAR, WHISPER = 1, 4
_SOLVED_KEYS = ("accepted_answer", "topic_accepted_answer", "has_accepted_answer")


def _is_topic(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("post_stream"), dict)


def _is_post(value: Any) -> bool:
    return isinstance(value, dict) and "topic_id" in value and ("cooked" in value or "raw" in value)


class DiscourseJsonSource(Source):
    name = "discourse-json"
    description = "Discourse topics (/t/{id}.json with post_stream), or posts carrying topic_id"
    reads_folders = True

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore")
        return '"post_stream"' in text or ('"cooked"' in text and '"post_number"' in text)

    def read(self, path: Path) -> Iterator[Ticket]:
        files = files_to_read(path, "topic")
        with child_index() as loose:
            order: list[str] = []  # topic ids of loose posts, in first-seen order
            titles: dict[str, str] = {}
            for file in files:
                for item in JsonValues(file, ("topics",), self.encoding).items():
                    where = f"item {item.index + 1}" + (f" of {file.name}" if path.is_dir() else "")
                    value = item.value
                    if _is_post(value):
                        key = loose.key(value["topic_id"])
                        if key not in titles:
                            order.append(key)
                            titles[key] = str(value.get("topic_title") or "")
                        loose.add(key, _stored(value), sort=f"{_number(value):012d}")
                        continue
                    yield from self._convert(value, [], file, where)
            for key in order:
                topic = {"id": key, "title": titles[key]}
                yield from self._convert(topic, loose.children(key), path, f"topic {key}")

    def _convert(self, raw: Any, posts: list[Any], path: Path, where: str) -> Iterator[Ticket]:
        try:
            ticket = self._topic(raw, posts, path, where)
        except SourceError as exc:
            self.bad_record(exc)
            return
        if ticket is not None:
            yield ticket

    def _topic(self, raw: Any, loose: list[Any], path: Path, where: str) -> Ticket | None:
        if not isinstance(raw, dict) or not (_is_topic(raw) or loose):
            raise SourceError(
                "not a Discourse topic (no 'post_stream') or post (no 'topic_id'); check --format",
                path=path,
                record=where,
            )
        topic_id = str(raw.get("id") or "").strip()
        if not topic_id:
            raise SourceError("the topic has no id", path=path, record=where, field="id")
        where = f"{where} (topic {topic_id})"
        if raw.get("archetype") == "private_message":
            self.report.private_dropped += 1
            self.report.skip(where, "a private message, not a public topic", topic_id)
            return None
        stream = obj(raw.get("post_stream"))
        posts = [p for p in (stream.get("posts") or []) + loose if isinstance(p, dict)]
        posts.sort(key=_number)
        flags: list[str] = []
        ids = [i for i in stream.get("stream") or [] if isinstance(i, int | str)]
        present = {str(p.get("id")) for p in posts}
        missing = [i for i in ids if str(i) not in present]
        if missing:
            flags.append(
                self.incomplete(
                    SourceError(
                        f"the export holds {len(ids) - len(missing)} of {len(ids)} posts; fetch "
                        f"the rest with /t/{topic_id}/posts.json?post_ids[]=...",
                        path=path,
                        record=where,
                        field="post_stream",
                    ),
                    comments_incomplete_flag(
                        len(ids) - len(missing),
                        len(ids),
                        "posts",
                        why="the rest were not fetched (a topic page holds 20 posts)",
                    ),
                    "some topics hold fewer posts than their post_stream.stream lists; they were "
                    "captured with the posts present and flagged for the reviewer "
                    "(--strict refuses them)",
                )
            )
        accepted_number = _accepted_number(raw)
        regular = [p for p in posts if _post_type(p) in (REGULAR, WHISPER)]
        first = next((p for p in regular if _post_type(p) == REGULAR), None)
        reporter = _author(first) if first else ""
        people: list[str] = []
        solved = any(k in raw for k in _SOLVED_KEYS) or any(
            k in p for p in posts for k in _SOLVED_KEYS
        )
        accepted = [p for p in regular if _is_accepted(p, accepted_number)]
        closed = bool(raw.get("closed") or raw.get("archived"))
        title = raw.get("title") if raw.get("title") else raw.get("fancy_title")
        ticket = Ticket(
            id=topic_id,
            source=self.name,
            title=to_plain(title, "html" if not raw.get("title") else "plain")
            or (to_plain(first.get("topic_title"), "plain") if first else ""),
            problem=to_markdown(*_body(first), field="post 1", flags=flags, people=people)
            if first
            else "",
            resolution_status="answered" if accepted else "",
            status="closed" if closed else "solved" if accepted else "unsolved" if solved else "",
            tags=names_of(raw.get("tags")),
            opened=timestamp(raw.get("created_at"), path=path, record=where, field="created_at")
            or (_created(first, path, where) if first else None),
            flags=flags,
            people=people,
        )
        thread = [
            self._post(p, reporter, accepted_number, path, where) for p in regular if p is not first
        ]
        attach_posts(ticket, thread, self.report, reporters=[reporter])
        return set_language(ticket)

    @staticmethod
    def _post(
        raw: dict[str, Any], reporter: str, accepted: tuple[int | None, str], path: Path, where: str
    ) -> Post:
        author = _author(raw)
        names = [str(raw.get(k)) for k in ("name", "display_username") if raw.get(k)]
        if _post_type(raw) == WHISPER or raw.get("hidden") or raw.get("deleted_at"):
            return Post(body="", author=author, names=names, visibility="private")
        staff = any(raw.get(k) is True for k in ("staff", "admin", "moderator"))
        text, text_format = _body(raw)
        return Post(
            body=text,
            text_format=text_format,
            author=author,
            names=names,
            role="reporter" if author and author == reporter else "resolver" if staff else None,
            created=_created(raw, path, where),
            accepted=_is_accepted(raw, accepted),
        )


def _stored(post: dict[str, Any]) -> dict[str, Any]:
    """What the join keeps of a post: an internal post keeps no text."""
    internal = _post_type(post) == WHISPER or post.get("hidden") or post.get("deleted_at")
    dropped = ("cooked", "raw", "content") if internal else ()
    return {k: v for k, v in post.items() if k not in dropped}


def _number(post: Any) -> int:
    value = post.get("post_number") if isinstance(post, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _post_type(post: dict[str, Any]) -> int:
    value = post.get("post_type", REGULAR)
    return value if isinstance(value, int) else REGULAR


def _author(post: dict[str, Any] | None) -> str:
    if not post:
        return ""
    return str(post.get("username") or post.get("display_username") or post.get("name") or "")


def _body(post: dict[str, Any]) -> tuple[Any, str]:
    """``cooked`` is the rendered HTML; ``raw`` (Markdown) when only it was exported."""
    if isinstance(post.get("cooked"), str):
        return post["cooked"], "html"
    if isinstance(post.get("raw"), str):
        return post["raw"], "markdown"
    return post.get("content") or "", "plain"


def _created(post: dict[str, Any], path: Path, where: str) -> Any:
    return timestamp(post.get("created_at"), path=path, record=where, field="post.created_at")


def _accepted_number(topic: dict[str, Any]) -> tuple[int | None, str]:
    """(post number, post id) of the accepted answer, as the topic names it."""
    block = topic.get("accepted_answer")
    number = block.get("post_number") if isinstance(block, dict) else None
    legacy = topic.get("accepted_answer_post_id")  # before discourse-solved 2025-03
    return (
        number if isinstance(number, int) and not isinstance(number, bool) else None,
        str(legacy) if legacy not in (None, "") else "",
    )


def _is_accepted(post: dict[str, Any], accepted: tuple[int | None, str]) -> bool:
    if post.get("accepted_answer") is True or post.get("is_accepted_answer") is True:
        return True
    number, post_id = accepted
    return (number is not None and _number(post) == number) or (
        bool(post_id) and str(post.get("id")) == post_id
    )
