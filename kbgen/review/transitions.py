"""The article lifecycle: which status and confidence changes a reviewed change may make.

    draft ──approve──> published ──flag──> needs_update ──approve──> published
      any ──retire──> retired   (terminal: a retired id is never reused)

Confidence only rises one step at a time (wip -> not_validated -> validated)
and may fall by any amount. A new article arrives as a draft; only
``kbgen review approve`` publishes (see ``check._check_transition``).
"""

from __future__ import annotations

from kbgen.models import CONFIDENCES

ALLOWED_STATUS = {
    ("draft", "published"),
    ("published", "needs_update"),
    ("needs_update", "published"),
    ("draft", "retired"),
    ("published", "retired"),
    ("needs_update", "retired"),
}


def status_problem(old: str | None, new: str, meta: dict[str, object]) -> str | None:
    """Why ``old`` -> ``new`` is not allowed, or None. ``old`` is None for a new article."""
    if old is None:
        if new == "draft":
            return None
        return (
            f"a new article must start as status 'draft', not '{new}'; "
            f"publish it with: kbgen review approve ID --reviewer NAME"
        )
    if old == new or (old, new) in ALLOWED_STATUS:
        return None
    allowed = sorted(n for o, n in ALLOWED_STATUS if o == old)
    hint = (
        f"from '{old}' it may become {', '.join(repr(a) for a in allowed)}"
        if allowed
        else f"'{old}' is final"
    )
    return f"status may not change from '{old}' to '{new}' ({hint})"


def confidence_problem(old: str | None, new: str) -> str | None:
    """Why confidence ``old`` -> ``new`` is not allowed, or None."""
    if new not in CONFIDENCES:
        return None  # the schema reports unknown values
    if old is None:
        return (
            None
            if new == "wip" or new == "not_validated"
            else (
                f"a new article cannot start as confidence '{new}'; it rises through reviewed changes"
            )
        )
    if old not in CONFIDENCES:
        return None
    step = CONFIDENCES.index(new) - CONFIDENCES.index(old)
    if step > 1:
        return (
            f"confidence may rise one step at a time ({' -> '.join(CONFIDENCES)}), "
            f"not from '{old}' to '{new}'"
        )
    return None
