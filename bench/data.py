"""Generated inputs, cached in a work folder so repeated runs do not pay for them again.

Every cache key holds the seed, the size and ``GENERATOR_VERSION``; KB
repositories also hold a hash of kbgen's scaffold, because ``kbgen init``
output changes as the other stages land (mkdocs.yml, templates).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import DEFAULT_DATASETS, sgcc_mapping, write_jira_export, write_mapped_csv
from bench.profile import Profile, learn_profile

# 6: prepared KB indexes record what whoosh holds (terms.sqlite "indexed"); a v5 index
# would make capture rebuild whoosh from scratch inside the timing.
GENERATOR_VERSION = 6
QUERIES = 200


def scaffold_hash() -> str:
    from kbgen.kb import scaffold_files

    digest = hashlib.sha256()
    for src, rel in scaffold_files():
        digest.update(rel.encode() + b"\0" + src.read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class BenchData:
    work: Path
    seed: int = 1
    datasets: Path = DEFAULT_DATASETS
    _profile: Profile | None = field(default=None, repr=False)
    # One KB per size for the whole run, even if kbgen's scaffold changes meanwhile.
    _kbs: dict[int, Path] = field(default_factory=dict, repr=False)

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = learn_profile(self.datasets)
        return self._profile

    def _path(self, name: str) -> Path:
        self.work.mkdir(parents=True, exist_ok=True)
        return self.work / f"v{GENERATOR_VERSION}-s{self.seed}-{name}"

    def jira(self, n: int) -> Path:
        path = self._path(f"jira-{n}.json")
        if not path.exists():
            write_jira_export(path, n, self.seed, self.profile)
        return path

    def export(self, kind: str, n: int) -> Path:
        """``n`` tickets in one of the newer source shapes (bench.exports.KINDS)."""
        from bench.exports import write_export

        suffix = {"stackexchange": ".xml", "github": "", "markdown": ""}.get(kind, ".json")
        path = self._path(f"{kind}-{n}{suffix}")
        done = path.with_name(path.name + ".complete")
        if not done.exists():
            if path.is_dir():
                shutil.rmtree(path)
            write_export(kind, path, n, self.seed, self.profile)
            done.touch()
        return path

    def csv(self, n: int) -> tuple[Path, Path | None]:
        """The SGCC-shaped CSV and its mapping (None until the sources package ships one)."""
        mapping = sgcc_mapping()
        tag = hashlib.sha256(mapping.read_bytes()).hexdigest()[:8] if mapping else "nomap"
        path = self._path(f"sgcc-{n}-{tag}.csv")
        if not path.exists():
            write_mapped_csv(path, n, self.seed, self.profile)
        beside = path.with_suffix(".yml")
        return path, beside if beside.exists() else None

    def kb(self, n: int) -> Path:
        if n in self._kbs:
            return self._kbs[n]
        from bench.kbrepo import write_kb

        path = self._path(f"kb-{n}-{scaffold_hash()}")
        if not (path / ".bench-complete").exists():
            if path.exists():
                shutil.rmtree(path)
            write_kb(path, n, self.seed, self.profile)
            _prepare_index(path)
            with (path / ".git" / "info" / "exclude").open("a") as fh:
                fh.write(".bench-complete\n")
            (path / ".bench-complete").write_text("ok\n")
        self._kbs[n] = path
        return path

    def queries(self, n_articles: int) -> Path:
        path = self._path(f"queries-{n_articles}.json")
        if not path.exists():
            path.write_text(
                json.dumps(
                    make_queries(self.kb(n_articles), QUERIES, self.seed), ensure_ascii=False
                ),
                encoding="utf-8",
            )
        return path

    def access_log(self, lines: int, n_articles: int) -> Path:
        path = self._path(f"access-{lines}.log")
        if not path.exists():
            write_access_log(path, lines, n_articles, self.seed)
        return path


def _prepare_index(kb_root: Path) -> None:
    """Index the KB once, as a KB in use has been: capture then measures its reuse check, not a
    first-time index build. (The build and search stages drop this index to measure full builds.)
    """
    from bench.measure import MeasureFailed, StageNotLanded, run_child

    try:
        run_child("bench.stages.search:prepare_index", {"kb_root": str(kb_root)})
    except (StageNotLanded, MeasureFailed):
        shutil.rmtree(kb_root / ".kbgen", ignore_errors=True)


_WORD = re.compile(r"[a-z][a-z0-9_.]{3,}(?<!\.)")


def make_queries(kb_root: Path, n: int, seed: int) -> list[str]:
    """``n`` short queries in the KB's own wording: 1-3 words of an English title, 1-2 jieba words of a Chinese one."""
    import jieba

    from kbgen.kb import iter_articles

    rng = random.Random(seed)
    titles = sorted((a.language, a.title) for a in iter_articles(kb_root / "content" / "articles"))
    queries: list[str] = []
    while len(queries) < n:
        language, title = rng.choice(titles)
        if language == "zh":
            words = [w for w in jieba.lcut(title) if len(w) >= 2 and not w.isascii()]
            take = 1 if len(words) < 2 or rng.random() < 0.5 else 2
        else:
            # ph_* are the Mendeley data's PII placeholders, not words anyone searches for.
            words = [w.rstrip(".") for w in _WORD.findall(title.lower()) if not w.startswith("ph_")]
            take = min(len(words), rng.choice((1, 2, 2, 3)))
        if not words:
            continue
        start = rng.randrange(len(words) - take + 1)
        queries.append(" ".join(words[start : start + take]))
    return queries


_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
)


def write_access_log(path: Path, lines: int, n_articles: int, seed: int) -> Path:
    """A combined-format access log of a KB site: article views, assets, searches, some 404s and bots."""
    import datetime as dt

    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="ascii") as fh:
        for i in range(lines):
            when = start + dt.timedelta(seconds=i * 2)
            roll = rng.random()
            if roll < 0.6:
                target, status, size = (
                    f"/KB-{rng.randint(1, n_articles):05d}/",
                    200,
                    rng.randint(8000, 40000),
                )
            elif roll < 0.85:
                target, status, size = "/assets/javascripts/bundle.js", 304, 0
            elif roll < 0.95:
                target, status, size = "/search/search_index.json", 200, 900000
            else:
                target, status, size = f"/missing-{rng.randint(1, 500)}/", 404, 512
            ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
            fh.write(
                f'{ip} - - [{when:%d/%b/%Y:%H:%M:%S %z}] "GET {target} HTTP/1.1" {status} {size} '
                f'"https://kb.example.test/" "{rng.choice(_AGENTS)}"\n'
            )
    tmp.replace(path)
    return path
