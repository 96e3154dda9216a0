"""Article types: the one table of each type's sections, labels and "needed" markers.

Adding a type means adding a row here, a pair of templates
(``content/templates/<type>.<lang>.md.j2``) and the name in the packaged
``article.schema.yml`` enum (a test keeps that enum equal to this table).
Everything else (config validation, ``kbgen check``'s required sections, the
site's labels, approval's marker check) reads this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """A required section: its heading in each language, and every heading accepted for it."""

    en: str
    zh: str
    accepted: tuple[str, ...]  # compared case-insensitively, trailing punctuation ignored

    def heading(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class ArticleType:
    name: str
    label_en: str
    label_zh: str
    sections: tuple[Section, ...]

    def label(self, language: str) -> str:
        return self.label_zh if language == "zh" else self.label_en


ARTICLE_TYPES: dict[str, ArticleType] = {
    t.name: t
    for t in (
        # content/templates/troubleshooting.*.md.j2: the cause section is optional there.
        ArticleType(
            "troubleshooting",
            "Troubleshooting",
            "故障排除",
            (
                Section(
                    "Issue",
                    "问题现象",
                    (
                        "issue",
                        "problem",
                        "symptoms",
                        "symptom",
                        "问题现象",
                        "问题",
                        "问题描述",
                        "故障现象",
                    ),
                ),
                Section(
                    "Resolution",
                    "处理过程",
                    (
                        "resolution",
                        "solution",
                        "fix",
                        "处理过程",
                        "解决方案",
                        "解决方法",
                        "处理方法",
                    ),
                ),
            ),
        ),
        ArticleType(
            "howto",
            "How-to",
            "操作指南",
            (
                Section("Goal", "目标", ("goal", "purpose", "目标")),
                Section(
                    "Steps",
                    "操作步骤",
                    ("steps", "procedure", "instructions", "操作步骤", "步骤", "操作方法"),
                ),
            ),
        ),
        ArticleType(
            "known_error",
            "Known error",
            "已知错误",
            (
                Section(
                    "Symptoms",
                    "问题现象",
                    ("symptoms", "symptom", "issue", "problem", "问题现象", "问题", "故障现象"),
                ),
                Section(
                    "Cause",
                    "原因分析",
                    ("cause", "root cause", "原因分析", "原因", "故障原因", "根本原因"),
                ),
                Section(
                    "Workaround",
                    "处理过程",
                    (
                        "workaround",
                        "resolution",
                        "处理过程",
                        "临时解决方案",
                        "规避方法",
                        "解决方案",
                    ),
                ),
            ),
        ),
    )
}
TYPE_NAMES: tuple[str, ...] = tuple(ARTICLE_TYPES)
DEFAULT_TYPE = "troubleshooting"

# The admonition drafting writes where a ticket had no public text for a section
# ("Resolution needed", "待补充处理过程"; see content/templates/_macros.md.j2).
# Publishing needs every one of them gone.
NEEDED_MARKER = re.compile(
    r'^!!! warning "(?:(?:Resolution|Steps|Workaround|Cause) needed|待补充[^"]*)"',
    re.MULTILINE | re.IGNORECASE,
)


def type_label(name: str, language: str) -> str:
    """The reader-facing label of a type; an unknown name is shown as it is."""
    found = ARTICLE_TYPES.get(name)
    return found.label(language) if found else name
