"""What a draft says: the ticket's own words, cleaned, never invented.

Sources hand over Markdown that is already escaped (see ``kbgen.text``). Here
we only choose and drop: reply prefixes, ticket ids and greetings leave the
title; greetings, sign-offs, "please confirm", policy boilerplate and
chit-chat leave the prose. Fenced blocks (logs, stack traces, diffs) are kept
whole, because commands, versions and error messages are what readers need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kbgen.models import Ticket
from kbgen.text import clean_text, is_missing, one_line, unescape_markdown

TITLE_MAX = 150
SUMMARY_MAX = 300

# "RE:", "Fwd:", "答复：", "回复:", "转发：", "AW:", "SV:" (repeated, any case, ASCII or full-width colon).
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|sv|wg|答复|回复|转发)\s*[:：]\s*", re.IGNORECASE)
# Ticket ids as prefixes or in brackets: "[LUCENE-12]", "LUCENE-12:", "#12345", "INC0012345 -".
_TICKET_ID = re.compile(
    r"\[(?:[A-Z][A-Z0-9]+-\d+|#?\d{3,}|INC\d+)\]"
    r"|^\s*(?:[A-Z][A-Z0-9]+-\d+|INC\d{4,}|#\d{3,})\s*[:：\-–]?\s*"
    r"|\(\s*(?:[A-Z][A-Z0-9]+-\d+|INC\d{4,}|#\d{3,})\s*\)"
)
_TITLE_GREETING = re.compile(
    r"^\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[^,:!]{0,30}[,:!]\s*"
    r"|(?:您好|你好|各位好|老师好)[，,！!：:]?\s*)",
    re.IGNORECASE,
)

# Whole lines (or sentences) that carry no knowledge. Matched against the unescaped text.
_NOISE_EN = re.compile(
    r"""^(?:
        (?:hi|hello|hey|dear|greetings|good\ (?:morning|afternoon|evening))\b.{0,40}$
      | (?:many\ )?thanks?(?:\ you)?(?:\ (?:a\ lot|very\ much|in\ advance|for\ .{0,60}))?[.!,]*$
      | thank\ you\ for\ your\ (?:patience|cooperation|feedback|support|understanding)\b.*$
      | (?:best|kind|warm)?\s*regards\b.*$ | cheers\b.*$ | sincerely\b.*$ | br[,.]?$
      | (?:please|kindly)\ (?:confirm|let\ us\ know|advise|update|check\ and\ confirm|close
          |share\ your\ feedback|be\ informed|note\ that\ (?:the|your)\ ticket
          |provide|share|send|attach|find\ (?:the\ )?attached|see\ (?:the\ )?attached)\b.*$
      | (?:can|could)\ you\ (?:please\ )?(?:confirm|provide|share|send|check)\b.*$
      | (?:we\ are|we're|i\ am|i'm|still)\ (?:checking|investigating|looking\ into|working\ on|waiting)\b.*$
      | (?:we|i|the\ team)\ (?:will|shall|would)\ (?:check|investigate|update|get\ back|inform|let\ you\ know
          |follow|share|send|provide|plan|work|contact|revert|keep\ you|look)\b.*$
      | we\ (?:are\ )?plan(?:ning)?\b.*$
      | .{0,60}\b(?:has|have)\ been\ (?:assigned|escalated|reported|forwarded|raised)\b.*$
      | (?:any\ updates?|following\ up|gentle\ reminder|reminder|noted|ok(?:ay)?|sure|done|great|perfect
          |you're\ welcome|no\ problem)\W*$
      | (?:as|per)\ (?:discussed|our\ (?:call|discussion|meeting))\b.{0,40}$
      | .{0,80}\b(?:waiting\ (?:for\ )?(?:your\ )?(?:kind\ )?(?:customer\ )?feedback|will\ remind\ the\ customer
          |automatically\ closed|ticket\ will\ be\ closed|marked\ as\ a\ duplicate)\b.*$
      | to\ provide\ our\ best\ support\b.*$
      | (?:hope\ (?:this|that)\ helps|have\ a\ (?:nice|good|great)\ day)\b.*$
      | sent\ from\ my\ \w+.*$
      | (?:ph_[a-z_]+\s*)+(?:(?:helpdesk|support)\ )?(?:team)?\W*$
      | .*\bconsidere?d?\ this\ (?:ticket|issue)\ (?:as\ )?(?:resolved|closed|solved)\b.*$
      | .*\b(?:ticket|issue)\ (?:is|will\ be|has\ been|was)\ (?:resolved|closed|solved)\b.*$
      | (?:please|kindly)\ (?:connect|call|contact|suggest\ a\ time|arrange)\b.*$
      | as\ (?:you\ )?requested\b.*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_NOISE_ZH = re.compile(
    r"^(?:您好|你好|各位(?:领导|同事)?好|谢谢|多谢|感谢.{0,20}|此致|敬礼|请(?:确认|查收|知悉|反馈)|辛苦了).{0,6}$"
)
# A greeting glued to the first sentence: "Hi. I am using ...", "Dear team, the ...", "您好，...".
_LEADING_GREETING = re.compile(
    r"^(?:(?:many\s+)?thanks?(?:\s+you)?(?:\s+(?:a\s+lot|very\s+much))?|(?:hi|hello|hey)(?:\s+(?:all|team|there|everyone|guys))?|dear\s+[^,.!:]{1,30}|您好|你好)\s*[,.!:，。！：]\s*(?=\S)",
    re.IGNORECASE,
)


def _is_noise(line: str) -> bool:
    plain = unescape_markdown(line).strip().strip("*_ ").strip()
    if not plain or re.fullmatch(r"[\W_]+", plain):
        return True
    return bool(_NOISE_EN.match(plain) or _NOISE_ZH.match(plain))


def _split_blocks(markdown: str) -> list[str]:
    """Paragraphs and fenced blocks, fences kept intact even with blank lines inside."""
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in markdown.split("\n"):
        if fence is None:
            opening = re.match(r"^(`{3,}|~{3,})", line)
            if opening:
                if current:
                    blocks.append("\n".join(current))
                current = [line]
                fence = opening.group(1)
                continue
            if not line.strip():
                if current:
                    blocks.append("\n".join(current))
                current = []
                continue
            current.append(line)
        else:
            current.append(line)
            if line.strip() == fence or (
                line.startswith(fence) and not line.strip(fence[0]).strip()
            ):
                blocks.append("\n".join(current))
                current = []
                fence = None
    if current:
        blocks.append("\n".join(current))
    return blocks


def _clean_line(line: str, drop_questions: bool) -> str:
    """The line without its greeting and without noise sentences ("" when nothing is left)."""
    hard_break = line.endswith("\\")
    body = _LEADING_GREETING.sub("", line.rstrip("\\").rstrip(), count=1)
    sentences = re.split(r"(?<=[.!?。！？])\s+", body) if len(body) < 2000 else [body]
    kept = [
        s
        for s in sentences
        if not _is_noise(s) and not (drop_questions and s.rstrip().endswith(("?", "？")))
    ]
    if not kept:
        return ""
    return " ".join(kept) + ("\\" if hard_break else "")


def clean_prose(markdown: str, *, drop_questions: bool = False) -> str:
    """Drop greetings, sign-offs and chit-chat sentences; keep everything else as written.

    ``drop_questions``: a resolver's questions ("did the script run?") are not the fix.
    """
    kept: list[str] = []
    for block in _split_blocks(clean_text(markdown)):
        if block.startswith(("```", "~~~")):
            kept.append(block)
            continue
        good = [c for c in (_clean_line(ln, drop_questions) for ln in block.split("\n")) if c]
        if not good:
            continue
        # A hard break ("\\" at line end) on the last kept line would dangle.
        good[-1] = good[-1].rstrip("\\").rstrip()
        kept.append("\n".join(good))
    return "\n\n".join(kept).strip()


def clean_title(title: str, fallback_markdown: str = "") -> str:
    """A one-line title without reply prefixes, ticket ids, greetings or angle brackets."""
    text = " ".join(clean_text(title).split())
    previous = None
    while text != previous:
        previous = text
        text = _REPLY_PREFIX.sub("", text)
        text = _TICKET_ID.sub(" ", text).strip()
        text = _TITLE_GREETING.sub("", text).strip()
    text = text.strip(" -–:：,.;!！")
    if (not text or _is_noise(text)) and fallback_markdown:
        prose = clean_prose(fallback_markdown)
        first = next((b for b in _split_blocks(prose) if not b.startswith(("```", "~~~"))), "")
        first_sentence = re.split(r"(?<=[.!?。！？])\s", unescape_markdown(first), maxsplit=1)[0]
        text = " ".join(first_sentence.split()) or text
    # The schema refuses "<" and ">" in titles: the theme prints them unescaped.
    text = text.replace("<", "‹").replace(">", "›")
    return one_line(text, TITLE_MAX)


# Markdown syntax that vendor converters (Jira wiki, ADF) emit and a plain summary must not show.
_MD_BLOCK_MARKER = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+\.[ \t]+|>[ \t]?)", re.M)
_MD_HEADING_LINE = re.compile(r"^[ \t]*#{1,6}[ \t]+.*$\n?", re.M)
_MD_LINK = re.compile(r"!?\[([^\]\\]*)\]\([^)\s]*\)")
_MD_EMPHASIS = re.compile(r"(?<!\\)(\*\*|__|\*|`+|~~)")


def markdown_to_plain(markdown: str) -> str:
    """Drop Markdown syntax (headings, list markers, emphasis, code ticks, links), keep the words."""
    text = _MD_HEADING_LINE.sub("", markdown)  # a heading is a label, not a sentence
    text = _MD_BLOCK_MARKER.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub("", text)
    return unescape_markdown(text)


def summarize(markdown: str) -> str:
    """One line for the meta description: the first sentences of the symptoms, plain text."""
    prose = [b for b in _split_blocks(markdown) if not b.startswith(("```", "~~~"))]
    # The schema keeps angle brackets out of one-line fields the theme prints; look-alikes
    # keep "List<String>" readable there (the body shows the real characters).
    text = markdown_to_plain("\n\n".join(prose)).replace("<", "‹").replace(">", "›")
    return one_line(text, SUMMARY_MAX)


@dataclass
class DraftContent:
    """The sections of one draft, each already safe Markdown (or empty)."""

    title: str
    summary: str
    symptoms: str
    cause: str
    resolution: str
    prevention: str = ""
    # Flags for the reviewer, e.g. "resolution-needed", "private-comments-dropped:3".
    flags: list[str] = field(default_factory=list)

    @property
    def has_resolution(self) -> bool:
        return bool(self.resolution.strip())


def extract_content(ticket: Ticket) -> DraftContent:
    """Choose each section's text from the (already redacted) ticket."""
    symptoms_parts = [ticket.problem]
    reporter_followups = [c.body for c in ticket.comments if c.role == "reporter"]
    # The reporter's own follow-ups (error messages, versions) belong to the symptoms
    # when the first description is thin.
    if len(clean_prose(ticket.problem)) < 80:
        symptoms_parts += reporter_followups[:2]
        reporter_followups = reporter_followups[2:]
    symptoms = clean_prose("\n\n".join(p for p in symptoms_parts if p))
    cause = "" if is_missing(ticket.cause) else clean_prose(ticket.cause)
    prevention = "" if is_missing(ticket.prevention) else clean_prose(ticket.prevention)
    resolution_parts: list[str] = []
    if not is_missing(ticket.resolution):
        resolution_parts.append(ticket.resolution)
    resolver = [c.body for c in ticket.comments if c.role == "resolver"]
    flags = list(ticket.flags)
    if not resolver:
        # Open-source trackers (Apache Jira) assign to a mailing list: the fix is in
        # comments by other developers. Used only when no resolver spoke, and flagged.
        resolver = [c.body for c in ticket.comments if c.role == "other"]
        if resolver:
            flags.append("resolution-from-other-commenters")
    if not resolver and not resolution_parts and reporter_followups and ticket.resolution_status:
        # In open-source trackers the reporter often fixes the bug and says how in a later
        # comment ("I fixed this by disabling lock files", LUCENE-1). Only for tickets whose
        # source recorded a resolution, and flagged for the reviewer.
        resolver = reporter_followups
        flags.append("resolution-from-reporter")
    resolution = clean_prose("\n\n".join([*resolution_parts, *resolver]), drop_questions=True)
    if not resolution:
        flags.append("resolution-needed")
    if ticket.private_dropped:
        flags.append(f"private-comments-dropped:{ticket.private_dropped}")
    title = clean_title(ticket.title, symptoms or ticket.problem)
    return DraftContent(
        title=title,
        summary=summarize(symptoms) or title,
        symptoms=symptoms,
        cause=cause,
        resolution=resolution,
        prevention=prevention,
        flags=flags,
    )
