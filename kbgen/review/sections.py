"""The sections every article type must have, in English and Chinese.

Declared here rather than guessed from the Jinja templates: template headings
can sit inside ``{% if %}`` blocks or come from variables, so a list read out of
them would be wrong exactly when it matters. Each required section accepts a
few names (the template's heading and the words people use when editing), in
both languages, compared case-insensitively and ignoring trailing punctuation.
"""

from __future__ import annotations

import re

# type -> list of (canonical English name, accepted headings)
# type -> (English heading, Chinese heading, every heading accepted for the section)
REQUIRED_SECTIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    # content/templates/troubleshooting.*.md.j2: the cause section is optional there.
    "troubleshooting": [
        (
            "Issue",
            "问题现象",
            ("issue", "problem", "symptoms", "symptom", "问题现象", "问题", "问题描述", "故障现象"),
        ),
        (
            "Resolution",
            "处理过程",
            ("resolution", "solution", "fix", "处理过程", "解决方案", "解决方法", "处理方法"),
        ),
    ],
    "known_error": [
        (
            "Symptoms",
            "问题现象",
            ("symptoms", "symptom", "issue", "problem", "问题现象", "问题", "故障现象"),
        ),
        ("Cause", "原因分析", ("cause", "root cause", "原因分析", "原因", "故障原因", "根本原因")),
        (
            "Workaround",
            "处理过程",
            ("workaround", "resolution", "处理过程", "临时解决方案", "规避方法", "解决方案"),
        ),
    ],
    "howto": [
        ("Goal", "目标", ("goal", "purpose", "目标")),
        (
            "Steps",
            "操作步骤",
            ("steps", "procedure", "instructions", "操作步骤", "步骤", "操作方法"),
        ),
    ],
}

_TRAILING = re.compile(r"[\s:：.。!！?？]+$")


def normalise_heading(text: str) -> str:
    text = re.sub(r"\{[#.][^}]*\}\s*$", "", text)  # attr_list suffix: "## Cause {#cause}"
    return _TRAILING.sub("", text.strip()).casefold()


def missing_sections(
    article_type: str, heading_texts: list[str], language: str = "en"
) -> list[str]:
    """Headings (in the article's language) of required sections that ``heading_texts`` lacks."""
    present = {normalise_heading(h) for h in heading_texts}
    return [
        zh if language == "zh" else en
        for en, zh, accepted in REQUIRED_SECTIONS.get(article_type, [])
        if not present & set(accepted)
    ]
