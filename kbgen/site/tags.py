"""Material's tags listing without ``attr_list`` (which kbgen turns off for content)."""

from __future__ import annotations

import re
from typing import Any

# Material's tags plugin marks where its listing goes with a heading that needs
# attr_list ("###### <id>/name { #<id>/slug }"). attr_list is off for content,
# so rebuild that one heading on the generated tags page only.
_TAGS_MARKER = re.compile(
    r"<h(\d) id=\"[^\"]*\">(\S+?)/name \{ #\2/slug \}(?:<a [^>]*>[^<]*</a>)?</h\1>"
)


def tags_injection_points(html: str, page: Any) -> str:
    for entry in _walk_toc(page.toc, min_level=1):
        match = re.fullmatch(r"(\S+?)/name \{ #\1/slug \}", entry.title)
        if match:
            entry.id = f"{match[1]}/slug"
    return _TAGS_MARKER.sub(lambda m: f'<h{m[1]} id="{m[2]}/slug">{m[2]}/name</h{m[1]}>', html)


def _walk_toc(toc: Any, min_level: int = 2) -> list[Any]:
    out = []
    for entry in toc or []:
        if entry.level >= min_level:
            out.append(entry)
        out.extend(_walk_toc(entry.children, min_level))
    return out
