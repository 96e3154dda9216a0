"""`kbgen demo`: the whole loop on the bundled sample tickets, every stage real.

init -> capture onto review branches -> approve and merge in git -> build -> serve.
Usage numbers start empty: the demo never invents traffic; the dashboard fills
only with the clicks, votes and searches the user makes in the served site.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from kbgen.drafting import CaptureOptions, capture_tickets
from kbgen.exceptions import ConfigError
from kbgen.kb import KnowledgeBase, init_kb, run_git
from kbgen.review import approve
from kbgen.site import build_site
from kbgen.stats import serve_site

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"  # package data
DEMO_MARKER = ".kbgen-demo"
DEMO_REVIEWER = "Demo Reviewer"

# Sample exports in capture order, with the format kbgen should detect for each.
# The last one is captured after the first articles are published, to show linking.
SAMPLES = (
    "apache-lucene-jira-rest.json",
    "helpdesk-bilingual-zendesk.json",
    "helpdesk-followups-zendesk.json",
)


def sample_paths() -> list[Path]:
    paths = [SAMPLES_DIR / name for name in SAMPLES]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise ConfigError(
            f"sample tickets not found ({missing[0]}); the kbgen install is incomplete: reinstall it"
        )
    return paths


def prepare_directory(directory: Path) -> None:
    """Replace an earlier demo KB, but never delete a directory the demo did not create."""
    if directory.exists():
        if not (directory / DEMO_MARKER).is_file():
            if any(directory.iterdir()):
                raise ConfigError(
                    f"{directory} exists and was not created by kbgen demo; choose another --dir"
                )
        else:
            shutil.rmtree(directory)


def configure_demo(kb: KnowledgeBase) -> None:
    """Turn on the collector beacons and the internal pages for the local demo site."""
    path = kb.site_config_dir / "kbgen.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data.setdefault("site", {}).update(
        {"collector_url": "/api/events", "show_stats": True, "internal": True}
    )
    data.setdefault("redaction", {})["internal_hosts"] = ["corp.example.com"]
    path.write_text(
        "# Written by kbgen demo.\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def run_demo(
    directory: Path, *, serve: bool, port: int, echo: Callable[[str], None]
) -> KnowledgeBase:
    samples = sample_paths()
    directory = directory.resolve()
    prepare_directory(directory)
    kb = init_kb(directory)
    (kb.root / DEMO_MARKER).write_text("created by kbgen demo; safe to delete\n", encoding="utf-8")
    configure_demo(kb)
    run_git(["add", "-A"], kb.root)
    run_git(["commit", "-q", "-m", "Configure the demo site"], kb.root)
    kb = KnowledgeBase.open(kb.root)
    echo(f"1/5 Created a knowledge base in {directory}")

    created = _capture(kb, samples[:-1], echo)
    echo(f"2/5 Captured {created} drafts, each on its own kb/ review branch")
    _approve_all(kb, echo, step="3/5")

    _capture(kb, samples[-1:], echo)
    echo("4/5 Captured follow-up tickets: kbgen linked them to the articles that answer them")
    _approve_all(kb, echo, step="    ")

    result = build_site(kb, strict=True)
    for line in result.summary_lines():
        echo(f"    {line}")
    echo(f"5/5 Built the site in {kb.relpath(kb.site_dir)}/")

    if serve:
        echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl-C to stop). Views, votes and searches")
        echo(
            "you make there are recorded; see them with: kbgen stats report --kb " + str(directory)
        )
        serve_site(kb, host="127.0.0.1", port=port, site_dir=kb.site_dir)
    return kb


def _capture(kb: KnowledgeBase, paths: list[Path], echo: Callable[[str], None]) -> int:
    created = 0
    for sample in paths:
        report = capture_tickets(kb, [sample], CaptureOptions(branch=True))
        created += len(report.created)
        for line in report.summary_lines():
            echo(f"    {line}")
    return created


def _approve_all(kb: KnowledgeBase, echo: Callable[[str], None], *, step: str) -> None:
    approvals = approve(kb, branch=None, ids=[], all_=True, reviewer=DEMO_REVIEWER)
    for approval in approvals:
        echo(f"    {approval.summary(kb.config.kb.base_branch)}")
    published = sum(1 for a in approvals if not a.skipped)
    pending = len(approvals) - published
    echo(
        f"{step} {DEMO_REVIEWER} approved and merged {published} branches in git; "
        f"{pending} drafts stay pending until someone writes their resolution"
    )
