"""AC202 env-file-tracked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._common import dotenv_kind

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["EnvFileTracked"]


class EnvFileTracked(Rule):
    """A .env file is committed to git.

    What it does
    ------------
    Reports every ``.env`` and ``.env.*`` file that git tracks, at any depth. Examples meant to
    be committed (``.env.example``, ``.env.sample``, ``.env.template`` and the like) are not
    reported. Secrets inside the file are also reported, one by one, by AC201.

    Why is this bad?
    ----------------
    A ``.env`` file is where local keys live. Once committed it is in every clone and in the
    history even after it is deleted; adding it to ``.gitignore`` afterwards does not untrack it.

    Example
    -------
    ```text
    $ git ls-files
    .env
    agent/graph.py
    ```

    Use instead
    -----------
    ```text
    $ git rm --cached .env && echo .env >> .gitignore
    $ git ls-files
    .env.example
    .gitignore
    agent/graph.py
    ```
    """

    code = "AC202"
    name = "env-file-tracked"
    severity = Severity.ERROR
    message = "A .env file is committed to git."
    fix = (
        "Run `git rm --cached` on it, add it to .gitignore, rotate every secret it held, and "
        "commit a .env.example with empty values instead."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        if project.git_root is None:
            return
        for rel in sorted(project.tracked):
            if dotenv_kind(PurePosixPath(rel).name) == "env":
                yield self.finding(
                    rel,
                    message=f"{rel} is tracked by git: every clone and the history carry its "
                    "secrets.",
                )
