"""AC203 env-file-not-ignored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._common import dotenv_files, dotenv_kind, git_ignores, git_rel

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["EnvFileNotIgnored"]


class EnvFileNotIgnored(Rule):
    """A .env file exists and no .gitignore ignores it.

    What it does
    ------------
    Reports each ``.env`` / ``.env.*`` file (not examples) on disk that the repository's
    ``.gitignore`` files do not ignore, with git's own rules (pathspec's implementation of
    them): nested ``.gitignore`` files, negations, and directories that are ignored whole.
    Ignoring a file only in your global excludes or ``.git/info/exclude`` does not count: it
    protects your clone, not your teammates'. A tracked file is AC202's business.

    Why is this bad?
    ----------------
    The next ``git add .`` commits the file and every key in it. The deployment guide's
    checklist: ``.env`` stays out of git.

    Example
    -------
    ```text
    # .gitignore
    __pycache__/
    ```

    Use instead
    -----------
    ```text
    # .gitignore
    __pycache__/
    .env
    .env.*
    !.env.example
    ```
    """

    code = "AC203"
    name = "env-file-not-ignored"
    severity = Severity.ERROR
    message = "A .env file exists and .gitignore does not ignore it."
    fix = "Add `.env` and `.env.*` (with `!.env.example`) to the repository's .gitignore."

    def check(self, project: Project) -> Iterator[Finding]:
        ignores, _ = git_ignores(project)
        tracked = project.tracked
        for rel in dotenv_files(project):
            if dotenv_kind(PurePosixPath(rel).name) != "env" or rel in tracked:
                continue
            in_tree = git_rel(project, rel)
            if ignores.ignored(in_tree):
                continue
            yield self.finding(
                rel,
                message=f"{rel} is not ignored (checked {ignores.source(in_tree)}): the next "
                "`git add` commits its secrets.",
            )
