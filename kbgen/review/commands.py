"""``kbgen check`` and the ``kbgen review`` group: thin commands over kbgen.review."""

from __future__ import annotations

from pathlib import Path

import click

from kbgen.cli_options import echo_json, json_option, kb_option
from kbgen.hookspecs import hookimpl


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--base",
    "base_ref",
    metavar="REF",
    help="Judge the whole change since REF, with REF's rules (what CI runs on a pull request).",
)
@click.option(
    "--allow-config",
    is_flag=True,
    help="With --base: a maintainer's configuration review; list and diff non-article changes "
    "instead of failing on them.",
)
@kb_option
@json_option
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    base_ref: str | None,
    allow_config: bool,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """Check articles, or with --base every change, before it is merged.

    Without --base: every article (or each PATH) with the KB's own rules. Fails
    (exit 1) on invalid front-matter, categories outside the vocabulary, missing
    sections, personal data or secrets, raw HTML, unsafe links and external
    images, broken internal links and non-article files in content/articles.
    Warns on likely duplicates of articles already on main.

    With --base REF (pull requests): every path changed since REF, judged by
    REF's schema, vocabulary and redaction rules, never the branch's. Any change
    outside the articles (mkdocs.yml, site_config/, templates, CI files...)
    fails unless a maintainer passes --allow-config, which prints its diff.
    Symbolic links, deleting or renaming a published article, and setting
    review fields (status published, reviewed_by, published_at) fail too.
    Under GitHub Actions it also prints ::error annotations.

    \b
    Example:
        kbgen check
        kbgen check --base origin/main
        kbgen check --base origin/main --allow-config
        kbgen check content/articles/kb-0001-printer-offline.md --json
    """
    from kbgen.exceptions import CheckFailed
    from kbgen.kb import KnowledgeBase
    from kbgen.review.check import check_paths
    from kbgen.review.gate import check_change
    from kbgen.review.policy import base_policy

    if allow_config and not base_ref:
        raise click.UsageError("--allow-config reviews a change: give --base REF too")
    kb = KnowledgeBase.open(kb_dir)
    if base_ref and not paths:
        report = check_change(kb, base_ref, allow_config=allow_config)
    else:
        policy = base_policy(kb, base_ref) if base_ref else None
        report = check_paths(kb, list(paths) or None, base_ref=base_ref, policy=policy)
    if as_json:
        echo_json(report.to_json())
        ctx.exit(0 if report.ok else 1)
    lines = report.lines()
    for line in lines[:-1]:
        click.echo(line)
    if not report.ok:
        raise CheckFailed(lines[-1])
    click.echo(lines[-1])


@click.group()
def review() -> None:
    """Review drafts through git: submit, approve, list, flag and retire.

    \b
    Example:
        kbgen review list
        kbgen review submit kb/KB-0001-printer-offline
        kbgen review approve KB-0001 --reviewer "Ana Reviewer"
    """


@review.command()
@click.argument("targets", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Approve every pending draft.")
@click.option(
    "--reviewer", required=True, help="Your name, recorded in the article and the merge commit."
)
@click.option(
    "--push/--no-push", default=None, help="Push main afterwards (default: when the remote exists)."
)
@click.option(
    "--allow-config",
    is_flag=True,
    help="Also approve the branch's configuration changes (maintainers, after "
    "'kbgen check --base main --allow-config').",
)
@kb_option
@json_option
def approve(
    targets: tuple[str, ...],
    all_: bool,
    reviewer: str,
    push: bool | None,
    allow_config: bool,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """Publish drafts: the gate against main, then publish, commit and merge what was checked.

    TARGETS is one branch (kb/KB-0001-slug) or one or more article ids.
    A branch is judged like a pull request (kbgen check --base main), its
    articles get status published, your name and the digest of what readers
    will see, and that commit is merged --no-ff with Reviewed-by and Checked
    trailers. Articles already on main that wait (drafts, flagged articles,
    published articles edited since their approval) get one commit on main.
    A branch that changes configuration is refused without --allow-config.

    \b
    Example:
        kbgen review approve kb/KB-0001-printer-offline --reviewer "Ana Reviewer"
        kbgen review approve KB-0001 KB-0002 --reviewer "Ana Reviewer"
        kbgen review approve --all --reviewer "Ana Reviewer"
        kbgen review approve kb/KB-0009-theme --allow-config --reviewer "Max Maintainer"
    """
    from kbgen.kb import KnowledgeBase, is_article_id
    from kbgen.review.approve import approve as approve_drafts

    ids = [t for t in targets if is_article_id(t)]
    branches = [t for t in targets if not is_article_id(t)]
    if len(branches) > 1 or (branches and ids):
        raise click.UsageError("give one BRANCH, or article IDs, or --all")
    kb = KnowledgeBase.open(kb_dir)
    approvals = approve_drafts(
        kb,
        branch=branches[0] if branches else None,
        ids=ids,
        all_=all_,
        reviewer=reviewer,
        push=push,
        allow_config=allow_config,
    )
    if as_json:
        echo_json([a.to_json() for a in approvals])
        return
    if not approvals:
        click.echo("Nothing to approve: no pending drafts.")
    for a in approvals:
        click.echo(a.summary(kb.config.kb.base_branch))


@review.command()
@click.argument("branch")
@kb_option
@json_option
def submit(branch: str, kb_dir: Path, as_json: bool) -> None:
    """Push BRANCH and open its pull request on the configured forge.

    The pull request shows the redacted ticket evidence next to each draft
    and the KCS content checklist. Running it again reuses the open pull
    request.

    \b
    Example:
        GITHUB_TOKEN=... kbgen review submit kb/KB-0001-printer-offline
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.review.submit import submit as submit_branch

    result = submit_branch(KnowledgeBase.open(kb_dir), branch)
    if as_json:
        echo_json(result.to_json())
        return
    for line in result.summary_lines():
        click.echo(line)


@review.command(name="list")
@kb_option
@json_option
def list_(kb_dir: Path, as_json: bool) -> None:
    """List every pending draft (unmerged kb/ branches and drafts on main) with its check result.

    Articles flagged needs_update are listed too.

    \b
    Example:
        kbgen review list
        kbgen review list --json
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.review.lifecycle import list_pending

    pending = list_pending(KnowledgeBase.open(kb_dir))
    if as_json:
        echo_json([p.to_json() for p in pending])
        return
    if not pending:
        click.echo("No pending drafts.")
        return
    for p in pending:
        age = f"{p.age_days}d" if p.age_days is not None else "?"
        check_result = "check ok" if p.check_ok else f"check failed ({len(p.problems)})"
        where = p.branch or "main"
        tickets = ", ".join(p.tickets) or "no tickets"
        click.echo(f"{p.id}  {p.status}  {where}  {age}  {tickets}  {check_result}  {p.title}")
        if p.config_changes:
            click.echo("    CONFIGURATION CHANGES (a maintainer must review them):")
            for change in p.config_changes:
                click.echo(f"      {change}")
        for problem in p.problems:
            click.echo(f"    {problem}")


@review.command()
@click.argument("article_id")
@click.option(
    "--reason", required=True, help="Why the article needs an update (recorded in the commit)."
)
@click.option("--reviewer", required=True, help="Your name, recorded in the commit.")
@click.option(
    "--push/--no-push", default=None, help="Push main afterwards (default: when the remote exists)."
)
@kb_option
@json_option
def flag(
    article_id: str, reason: str, reviewer: str, push: bool | None, kb_dir: Path, as_json: bool
) -> None:
    """Mark a published article as needs_update: it stays online with a notice.

    \b
    Example:
        kbgen review flag KB-0001 --reason "VPN client 5.2 changed the menu" --reviewer "Ana Reviewer"
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.review.lifecycle import flag as flag_article

    change = flag_article(
        KnowledgeBase.open(kb_dir), article_id, reason=reason, by=reviewer, push=push
    )
    _print_change(change.to_json(), as_json)


@review.command()
@click.argument("article_id")
@click.option(
    "--reason", required=True, help="Why the article is retired (recorded in the commit)."
)
@click.option("--redirect-to", metavar="ID", help="Send readers of the old page to this article.")
@click.option("--reviewer", required=True, help="Your name, recorded in the commit.")
@click.option(
    "--push/--no-push", default=None, help="Push main afterwards (default: when the remote exists)."
)
@kb_option
@json_option
def retire(
    article_id: str,
    reason: str,
    redirect_to: str | None,
    reviewer: str,
    push: bool | None,
    kb_dir: Path,
    as_json: bool,
) -> None:
    """Retire an article: it leaves the site, and its page becomes a tombstone or a redirect.

    \b
    Example:
        kbgen review retire KB-0003 --reason "Product end of life" --reviewer "Ana Reviewer"
        kbgen review retire KB-0004 --reason "Merged" --redirect-to KB-0001 --reviewer "Ana Reviewer"
    """
    from kbgen.kb import KnowledgeBase
    from kbgen.review.lifecycle import retire as retire_article

    change = retire_article(
        KnowledgeBase.open(kb_dir),
        article_id,
        reason=reason,
        by=reviewer,
        redirect_to=redirect_to,
        push=push,
    )
    _print_change(change.to_json(), as_json)


def _print_change(change: dict[str, object], as_json: bool) -> None:
    if as_json:
        echo_json(change)
        return
    click.echo(
        f"{change['article_id']}: {change['old_status']} -> {change['new_status']} "
        f"({change['path']}, commit {str(change['commit'])[:7]})"
    )


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli.add_command(check)
    cli.add_command(review)
