"""The KB repository: one home for its paths, article files, git, branches and review notes.

Every stage imports the repository from here, downward; nothing here imports a
stage. Modules, bottom up:

* ``ids``: the article id pattern and the allocator of new ids
* ``paths``: the KB-relative folders and safe article file names
* ``files``: atomic writes
* ``articles``: the article file format (strict front-matter, deterministic dumps)
* ``repository``: :class:`KnowledgeBase`, its paths and run lock
* ``git``: the one git runner
* ``scaffold``: ``kbgen init``
* ``siteconfig``: ``mkdocs.yml`` read safely, and the site's Markdown extensions
* ``migrations``: the schema-migration runner of the local databases
* ``notes``: review notes beside each draft
* ``approval``: the approval record (reviewer, date, digest of what readers see)
* ``branches``: articles on main and on ``kb/*`` branches; committing drafts
* ``known``: what the KB already has, for reuse and re-capture
"""

from kbgen.kb.approval import (
    APPROVAL_FIELDS,
    READER_FIELDS,
    approval_state,
    content_digest,
    last_approved_version,
    record_approval,
)
from kbgen.kb.articles import (
    MAX_FRONT_MATTER_BYTES,
    SCHEMA_NAME,
    article_entries,
    dump_article,
    field_order,
    iter_article_paths,
    iter_articles,
    load_article,
    load_schema,
    ordered_meta,
    parse_article,
    today,
    write_article,
)
from kbgen.kb.branches import (
    BRANCH_PREFIX,
    BranchResult,
    DraftChange,
    base_articles,
    branch_article_id,
    branch_article_paths,
    branch_name,
    commit_drafts,
    is_merged,
    iter_branch_articles,
    list_kb_branches,
)
from kbgen.kb.files import (
    TEMP_SUFFIX,
    atomic_write,
    remove_stale_temp_files,
)
from kbgen.kb.git import (
    bot_identity,
    changed_paths,
    commit_message,
    ensure_no_index_lock,
    git_dir,
    git_executable,
    git_out,
    list_tree,
    ref_exists,
    remotes,
    rev_parse,
    run_git,
    show_file,
    show_files,
    temporary_worktree,
    worktree_for_branch,
)
from kbgen.kb.ids import (
    ARTICLE_ID,
    ID_PATTERN,
    IdAllocator,
    is_article_id,
)
from kbgen.kb.known import (
    KnownArticle,
    KnownArticles,
    load_known,
    sha256,
)
from kbgen.kb.migrations import Migration, newest_version, run_migrations
from kbgen.kb.notes import (
    ReviewNotes,
    parse_notes,
)
from kbgen.kb.paths import (
    ARTICLES_FOLDER,
    MEDIA_SUFFIXES,
    NAME_MAX_BYTES,
    NOTES_FOLDER,
    SCAFFOLD_DIR,
    SITE_CONFIG_FOLDER,
    STAGE_FOLDER,
    STATE_FOLDER,
    TEMPLATES_FOLDER,
    article_filename,
    article_relpath,
    contained_path,
    notes_relpath,
    title_slug,
    unique_filename,
)
from kbgen.kb.repository import (
    KnowledgeBase,
)
from kbgen.kb.scaffold import (
    init_kb,
    scaffold_files,
)
from kbgen.kb.siteconfig import (
    MKDOCS_YML,
    PYTHON_TAGS,
    UNSAFE_EXTENSIONS,
    load_site_config,
    markdown_config,
)

__all__ = [
    "MEDIA_SUFFIXES",
    "APPROVAL_FIELDS",
    "READER_FIELDS",
    "approval_state",
    "content_digest",
    "last_approved_version",
    "record_approval",
    "Migration",
    "newest_version",
    "run_migrations",
    "MKDOCS_YML",
    "PYTHON_TAGS",
    "UNSAFE_EXTENSIONS",
    "load_site_config",
    "markdown_config",
    "ARTICLES_FOLDER",
    "ARTICLE_ID",
    "BRANCH_PREFIX",
    "BranchResult",
    "DraftChange",
    "ID_PATTERN",
    "IdAllocator",
    "KnowledgeBase",
    "KnownArticle",
    "KnownArticles",
    "MAX_FRONT_MATTER_BYTES",
    "NAME_MAX_BYTES",
    "NOTES_FOLDER",
    "ReviewNotes",
    "SCAFFOLD_DIR",
    "SCHEMA_NAME",
    "SITE_CONFIG_FOLDER",
    "STAGE_FOLDER",
    "STATE_FOLDER",
    "TEMPLATES_FOLDER",
    "TEMP_SUFFIX",
    "article_entries",
    "article_filename",
    "article_relpath",
    "atomic_write",
    "base_articles",
    "bot_identity",
    "branch_article_id",
    "branch_article_paths",
    "branch_name",
    "changed_paths",
    "commit_drafts",
    "commit_message",
    "contained_path",
    "dump_article",
    "ensure_no_index_lock",
    "field_order",
    "git_dir",
    "git_executable",
    "git_out",
    "init_kb",
    "is_article_id",
    "is_merged",
    "iter_article_paths",
    "iter_articles",
    "iter_branch_articles",
    "list_kb_branches",
    "list_tree",
    "load_article",
    "load_known",
    "load_schema",
    "notes_relpath",
    "ordered_meta",
    "parse_article",
    "parse_notes",
    "ref_exists",
    "remotes",
    "remove_stale_temp_files",
    "rev_parse",
    "run_git",
    "scaffold_files",
    "sha256",
    "show_file",
    "show_files",
    "temporary_worktree",
    "title_slug",
    "today",
    "unique_filename",
    "worktree_for_branch",
    "write_article",
]
