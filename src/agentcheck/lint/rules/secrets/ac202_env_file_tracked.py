"""AC202 env-file-tracked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment._envfiles import env_bindings
from agentcheck.files import name_of
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.secrets._common import ScanningRule, dotenv_kind, scanned_hits
from agentcheck.secrets import is_dummy, secret_word

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["EnvFileTracked"]

#: Env files where real keys are kept: tracked, they will be committed with the keys.
_KEY_FILES = re.compile(r"^\.env(?:\.local|\.prod\w*|\.production(?:\.local)?|\.stag\w*)?$")


def _secret_values(project: Project, rel: str) -> Iterator[str]:
    """The values of the secret-named variables of a dotenv file, as python-dotenv reads them."""
    for key, value, _line in env_bindings(project, rel):
        if secret_word(key) is not None:
            yield value or ""


class EnvFileTracked(ScanningRule):
    """A .env file is committed to git.

    What it does
    ------------
    Reports every ``.env`` and ``.env.*`` file that git tracks, at any depth, that holds a
    credential. Examples meant to be committed (``.env.example``, ``.env.sample``,
    ``.env.template`` and the like) are not reported, nor are files of dummy values made for
    tests or a quick start (``.env.e2e`` with ``JWT_SECRET=test-secret-for-e2e``,
    ``.env.quickstart`` with ``GOOGLE_API_KEY=your_key_here``): empty values, placeholders,
    default passwords, words typed by a person and values marked for tests are dummies. A
    ``.env``, ``.env.local`` or ``.env.production`` of dummies is still reported, as a warning:
    the real keys go there next. Secrets inside the file are also reported, one by one, by
    AC201.

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
        hits = scanned_hits(project)
        for rel in sorted(project.tracked):
            name = name_of(rel)
            if dotenv_kind(name) != "env":
                continue
            if hits.get(rel) or not all(is_dummy(v) for v in _secret_values(project, rel)):
                yield self.finding(
                    rel,
                    message=f"{rel} is tracked by git: every clone and the history carry its "
                    "secrets.",
                )
            elif _KEY_FILES.match(name):
                yield self.finding(
                    rel,
                    message=f"{rel} is tracked by git: it holds no credential yet, but it is "
                    "where local keys go, and git will commit them with the next change.",
                    severity=Severity.WARNING,
                )
