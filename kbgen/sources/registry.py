"""The built-in sources, registered through the same pluggy hook third-party sources use."""

from __future__ import annotations

from typing import Any

from kbgen.hookspecs import hookimpl
from kbgen.sources.commands import sources_group
from kbgen.sources.discourse import DiscourseJsonSource
from kbgen.sources.freshdesk import FreshdeskJsonSource
from kbgen.sources.github import GitHubIssuesSource
from kbgen.sources.jira import JiraJsonSource
from kbgen.sources.jira_csv import JiraCsvSource
from kbgen.sources.mapping import MappingSource
from kbgen.sources.servicenow import ServiceNowCsvSource, ServiceNowJsonSource
from kbgen.sources.stackexchange import StackExchangeSource
from kbgen.sources.threads import ThreadsCsvSource
from kbgen.sources.zendesk import ZendeskJsonSource


@hookimpl
def register_sources() -> list[Any]:
    # Order matters for --format auto: the most specific sniffers come first.
    return [
        JiraJsonSource,
        ServiceNowJsonSource,
        GitHubIssuesSource,
        DiscourseJsonSource,
        StackExchangeSource,
        FreshdeskJsonSource,
        ZendeskJsonSource,
        JiraCsvSource,
        ServiceNowCsvSource,
        ThreadsCsvSource,
        MappingSource,
    ]


@hookimpl
def register_commands(cli: Any) -> None:
    cli.add_command(sources_group)
