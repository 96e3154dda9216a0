"""Article ids: ``<prefix>-0001``, never reused, never colliding with a pending branch.

The one definition of what an article id looks like. The packaged
``article.schema.yml`` carries the same pattern for ``id`` and ``redirect_to``
(a test keeps the two equal).

Two capture runs on different machines each open ``kb/<ID>-<slug>`` branches;
the next id is one past the highest id seen anywhere: article files in the
work tree, review notes, and ``kb/*`` branch names, local and remote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kbgen.exceptions import ConfigError

PREFIX_PATTERN = "[A-Z][A-Z0-9]{0,9}"
ID_PATTERN = rf"{PREFIX_PATTERN}-[0-9]{{4,}}"
ARTICLE_ID = re.compile(rf"^{ID_PATTERN}$")
WIDTH = 4


def is_article_id(text: str) -> bool:
    return bool(ARTICLE_ID.match(text))


class IdAllocator:
    def __init__(self, prefix: str, used: Iterable[str]) -> None:
        if not re.fullmatch(PREFIX_PATTERN, prefix):
            raise ConfigError(
                f"kb.id_prefix {prefix!r} must be 1-10 capital letters or digits, starting with a "
                f"letter (e.g. KB); fix site_config/kbgen.yml"
            )
        self.prefix = prefix
        pattern = re.compile(rf"^{re.escape(prefix)}-([0-9]+)$")
        numbers = [int(m.group(1)) for u in used if (m := pattern.match(u))]
        self._next = max(numbers, default=0) + 1

    def allocate(self) -> str:
        number = self._next
        self._next += 1
        return f"{self.prefix}-{number:0{WIDTH}d}"
