"""AC104 env-file-missing: the ``env`` file named in langgraph.json does not exist."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from agentcheck.deployment._envfiles import is_example_of
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["EnvFileMissing"]

#: Suffixes of committed examples that document a gitignored env file.
EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")


def _example_beside(project: Project, target: PurePosixPath) -> bool:
    """An example of ``target`` among the project's files in its folder (``.env.full.example``,
    ``.env.quickstart.example`` ...): the decision AC204 makes when it expects a ``.env``."""
    folder = str(target.parent)
    return any(
        is_example_of(PurePosixPath(rel).name, target.name)
        for rel in project.files
        if str(PurePosixPath(rel).parent) == folder
    )


class EnvFileMissing(Rule):
    """The ``env`` file named in langgraph.json does not exist.

    What it does
    ------------
    Reports ``"env": "<file>"`` in langgraph.json or aegra.json when neither the file nor a
    committed example of it (``.env.example``, ``.env.sample``, ``.env.template``,
    ``.env.full.example``, ``.env.quickstart.example``) exists
    next to it. A gitignored ``.env`` with a committed example is the normal local-development
    pattern and is not reported.

    Why is this bad?
    ----------------
    ``langgraph dev`` and ``langgraph build`` read the file: when it is missing the server
    starts without the variables the graphs need, or the build fails, and nothing tells a new
    developer what the file should hold.

    Example
    -------
    ```json
    {"graphs": {"agent": "./agent.py:graph"}, "env": ".env"}
    ```
    with no ``.env`` and no ``.env.example``.

    Use instead
    -----------
    Commit a ``.env.example`` listing the variables (without values), keep ``.env`` out of
    git, or set the variables with the ``env`` object or the deployment platform.
    """

    code = "AC104"
    name = "env-file-missing"
    severity = Severity.ERROR
    message = "The env file named in langgraph.json does not exist."
    fix = "Create the file, commit an example of it (.env.example), or drop the `env` key."

    def check(self, project: Project) -> Iterable[Finding]:
        for cfg in project.langgraph_configs:
            env = cfg.data.get("env")
            if not isinstance(env, str) or not env.strip() or cfg.doc is None:
                continue
            ref = env.strip()
            if ref.startswith("/"):
                continue  # a path on the machine that runs the server
            shown = posixpath.normpath(posixpath.join(cfg.dir or ".", ref))
            entry = project.locate(shown)
            if entry.is_file or entry.kind in ("outside", "unreadable"):
                continue  # a link out of the project is reported once as AC100, not followed
            target = PurePosixPath(shown)
            examples = [target.with_name(target.name + s) for s in EXAMPLE_SUFFIXES]
            examples.append(target.with_name("example" + target.name))
            if target.name.startswith("."):
                examples.append(target.with_name(target.name[1:] + ".example"))
            if any(project.is_file(str(p)) for p in examples) or _example_beside(project, target):
                continue
            what = "a directory" if entry.is_dir else "missing"
            yield self.finding(
                cfg.path,
                *cfg.doc.loc("env"),
                message=f'"env": {ref!r} names {shown}, which is {what}, and no example '
                f"of it ({target.name}.example) is committed.",
            )
