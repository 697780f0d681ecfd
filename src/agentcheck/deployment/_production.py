"""Which files describe production, and why: the one place that decides it (per file).

Strongest signal first:

1. ``[tool.agentcheck]``: ``production`` (replaces every other signal), ``extend-production``
   and ``not-production`` globs the user wrote.
2. A name in the path that says what the file is for: ``dev``, ``local``, ``test``, ``e2e``,
   ``example``, ``demo``, ``minimal``, ``override``, ``ci`` ... are not production; ``prod``,
   ``production``, ``staging``, ``release`` are.
3. What deploys it: ``docker compose -f FILE up``, ``docker stack deploy -c FILE``, ``kubectl
   apply -f/-k``, ``docker build -f FILE`` in a script, Makefile or CI file that is not itself
   for development or tests.
4. The file's own header comment (``# Local development stack``, ``# Production``); a server
   it starts with ``--reload`` (a development stack).
5. A README line that names the file for local development.
6. Where it lives: ``k8s/``, ``kubernetes/``, ``deploy/``, ``deployment(s)/``, ``manifests/``,
   ``helm/``, ``charts/``, ``infra/``.
7. Otherwise agentcheck's defaults (compose files, manifests and Dockerfiles are production,
   env files are not unless named for production), marked unsure: rules report less, at a
   lower severity, and say how to mark the file.

Compose ``profiles`` and overlays are decided per service (see ``_stacks``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import pathspec

from agentcheck.config import DEFAULT_NOT_PRODUCTION, DEFAULT_PRODUCTION
from agentcheck.deployment._scripts import read_scripts
from agentcheck.deployment.model import ScriptCommand, Verdict, Where

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["DEV_WORDS", "PROD_WORDS", "dev_word", "file_verdict", "how_to_mark", "path_words"]

#: Words of a path that say a file is for development, tests or documentation.
DEV_WORDS = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "local",
        "localhost",
        "test",
        "tests",
        "testing",
        "e2e",
        "integration",
        "example",
        "examples",
        "sample",
        "samples",
        "demo",
        "demos",
        "minimal",
        "debug",
        "override",
        "ci",
        "sandbox",
        "playground",
        "quickstart",
        "mock",
        "mocks",
        "fake",
        "fixture",
        "fixtures",
        "tmp",
        "devcontainer",
        "tutorial",
        "tutorials",
        "template",
        "templates",
    }
)
#: Words of a path that say a file is deployed.
PROD_WORDS = frozenset({"prod", "production", "prd", "staging", "release", "live"})
_DEPLOY_DIRS = frozenset(
    {
        "k8s",
        "kubernetes",
        "kube",
        "deploy",
        "deployment",
        "deployments",
        "manifests",
        "helm",
        "charts",
        "infra",
        "infrastructure",
        "kustomize",
        "overlays",
        "base",
    }
)
_SPLIT = re.compile(r"[^a-z0-9]+")
_HEADER_LINES = 12
_NEGATED_PROD = re.compile(
    r"\b(?:not|never|non|before|outside|without)[\s-]+(?:for[\s-]+|use[\s-]+in[\s-]+|in[\s-]+)?"
    r"production\b|\bnon-?prod"
)
_DEV_PHRASE = re.compile(
    r"\b(?:local(?:ly)?[\s-]+(?:dev(?:elopment)?|testing|use|setup|stack|environment|only)"
    r"|for[\s-]+(?:local|development|dev|testing|tests|demo)"
    r"|(?:development|dev|test|testing|demo)[\s-]+(?:only|environment|stack|setup|purposes?)"
    r"|quick[\s-]?start|run[\s-]+(?:it[\s-]+)?locally|development\s+compose)\b"
)
_PROD_PHRASE = re.compile(r"\bproduction\b|\bprod\b")
_DEPLOY_VERBS = frozenset({"up", "deploy", "create", "start", "pull", "apply", "rollout"})


def path_words(rel: str) -> list[str]:
    """Lower-cased words of a path: ``deploy/docker-compose.prod.yml`` -> deploy, docker,
    compose, prod, yml."""
    return [word for word in _SPLIT.split(rel.lower()) if word]


def dev_word(rel: str) -> str | None:
    """The first word of ``rel`` that marks it as development, tests or docs, if any."""
    return next((word for word in path_words(rel) if word in DEV_WORDS), None)


def how_to_mark(rel: str) -> str:
    """What a message says when agentcheck is unsure: how to mark the file."""
    return (
        f"(agentcheck counts {rel} as production by default: list it in [tool.agentcheck] "
        f'`production = ["{rel}"]`, or `not-production` if it is not)'
    )


_Spec = pathspec.PathSpec[Any]


def _user_specs(project: Project) -> tuple[_Spec | None, bool, _Spec | None, _Spec | None]:
    """``(production, whether it replaces every other signal, extend-production,
    not-production)`` matchers of the globs the user wrote (the defaults are not the user's)."""
    config = project.config

    def spec(patterns: tuple[str, ...]) -> _Spec | None:
        return pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None

    production, replaced, extra = None, False, None
    if config.production != DEFAULT_PRODUCTION:
        if config.production[: len(DEFAULT_PRODUCTION)] == DEFAULT_PRODUCTION:
            extra = spec(config.production[len(DEFAULT_PRODUCTION) :])
        else:
            production, replaced = spec(config.production), True
    user_not = config.not_production
    return (
        production,
        replaced,
        extra,
        None if user_not == DEFAULT_NOT_PRODUCTION else spec(user_not),
    )


def file_verdict(project: Project, rel: str, kind: str) -> Verdict:
    """Whether ``rel`` (a ``compose``, ``kubernetes``, ``dockerfile``, ``env`` or ``platform``
    file) describes production, with the reason (memoized per project)."""
    return project.memo(f"deployment:verdict:{rel}", lambda: _decide(project, rel, kind))


def _decide(project: Project, rel: str, kind: str) -> Verdict:
    production, replaced, extra, not_production = project.memo(
        "deployment:user-globs", lambda: _user_specs(project)
    )
    config_where = Where("pyproject.toml", 1) if project.config.source else None
    if not_production is not None and not_production.match_file(rel):
        return Verdict(False, "[tool.agentcheck] not-production lists it", config_where)
    if replaced:
        if production is not None and production.match_file(rel):
            return Verdict(True, "[tool.agentcheck] production lists it", config_where)
        return Verdict(False, "[tool.agentcheck] production does not list it", config_where)
    if extra is not None and extra.match_file(rel):
        return Verdict(True, "[tool.agentcheck] extend-production lists it", config_where)
    word = dev_word(rel)
    if word is not None:
        return Verdict(False, f"its path says `{word}`", Where(rel, 1))
    deployed = _deployed_by(project, rel, kind)
    if deployed is not None:
        return deployed
    words = path_words(rel)
    prod = next((w for w in words if w in PROD_WORDS), None)
    if prod is not None:
        return Verdict(True, f"its path says `{prod}`", Where(rel, 1))
    header = _header(project, rel, kind)
    if header is not None:
        return header
    reload = _reloading(project, rel, kind)
    if reload is not None:
        return reload
    readme = _readme(project, rel)
    if readme is not None:
        return readme
    top = next((w for w in PurePosixPath(rel).parts[:-1] if w.lower() in _DEPLOY_DIRS), None)
    if top is not None and kind != "env":
        return Verdict(True, f"it lives in {top}/", Where(rel, 1))
    if kind == "env":
        return Verdict(False, "an env file not named for production", Where(rel, 1), sure=False)
    if kind == "platform":
        return Verdict(True, "a platform file deploys what it names", Where(rel, 1))
    what = {"compose": "a compose file", "kubernetes": "a manifest", "dockerfile": "a Dockerfile"}
    return Verdict(
        True,
        f"{what.get(kind, 'a deployment file')}: nothing says what it is for",
        Where(rel, 1),
        sure=False,
    )


# --------------------------------------------------------------------------- deploy commands


def _deployed_by(project: Project, rel: str, kind: str) -> Verdict | None:
    """A script, Makefile or CI file (not itself for development or tests) that deploys
    ``rel``. A test script that also uses the file says nothing: smoke tests run production
    stacks too."""
    exact, directories = project.memo("deployment:script-targets", lambda: _targets(project))
    commands = list(exact.get(rel, ()))
    if kind == "kubernetes":
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            commands.extend(directories.get("/".join(parts[:depth]), ()))
    for command in commands:
        if dev_word(command.where.path) is None and _deploys(command):
            shown = " ".join(command.words[:6])
            return Verdict(True, f"`{shown}` in {command.where.path} deploys it", command.where)
    return None


_Targets = tuple[dict[str, list[ScriptCommand]], dict[str, list[ScriptCommand]]]


def _targets(project: Project) -> _Targets:
    """The files deploy commands name (``-f``, ``-c``, ``-k``, ``--file``), and the
    directories ``kubectl apply -f DIR``/``-k DIR`` name, each with its commands."""
    exact: dict[str, list[ScriptCommand]] = {}
    directories: dict[str, list[ScriptCommand]] = {}
    for command in read_scripts(project):
        base = PurePosixPath(command.where.path).parent.as_posix()
        for i, word in enumerate(command.words):
            option, eq, inline = word.partition("=")
            if option not in ("-f", "--file", "-c", "--compose-file", "-k", "--kustomize"):
                continue
            value = inline if eq else (command.words[i + 1] if i + 1 < len(command.words) else "")
            value = value.strip("'\"")
            if not value or "$" in value or "://" in value:
                continue
            for directory in dict.fromkeys(("", "" if base == "." else base)):
                target = f"{directory}/{value}" if directory else value
                target = PurePosixPath(target).as_posix().removeprefix("./").rstrip("/")
                exact.setdefault(target, []).append(command)
                if command.tool == "kubectl":
                    directories.setdefault(target, []).append(command)
    return exact, directories


def _deploys(command: ScriptCommand) -> bool:
    words = command.words
    if command.tool in ("docker", "podman", "nerdctl") and "build" in words[1:3]:
        return True
    return any(word in _DEPLOY_VERBS for word in words[1:])


# --------------------------------------------------------------------------- what files say


def _header(project: Project, rel: str, kind: str) -> Verdict | None:
    """The comment lines a YAML file or Dockerfile starts with, read for what it is for."""
    if kind not in ("compose", "kubernetes", "dockerfile"):
        return None
    text = project.text(rel, report=False) or ""
    comments: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines()[:_HEADER_LINES], start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            comments.append((number, stripped.lstrip("#").strip().lower()))
        elif stripped and not stripped.startswith("---"):
            break
    for number, comment in comments:
        if _NEGATED_PROD.search(comment) or _DEV_PHRASE.search(comment):
            return Verdict(False, f"its header says so: `# {comment[:60]}`", Where(rel, number))
    for number, comment in comments:
        if _PROD_PHRASE.search(comment):
            return Verdict(True, f"its header says so: `# {comment[:60]}`", Where(rel, number))
    return None


#: What a README line naming a file says when the file is for development only.
_README_DEV = re.compile(
    r"\b(?:(?:for|in)\s+local\s+(?:development|dev|testing|use)|local[\s-]+development\s+only"
    r"|(?:development|dev|testing)[\s-]+only|not\s+(?:meant\s+|intended\s+)?for\s+production"
    r"|do\s+not\s+use\s+(?:it\s+)?in\s+production)\b"
)


_RELOAD = re.compile(r"^[^#\n]*?(?:[\s\"'\[,]--reload\b|\bfastapi[\"',\s]+dev\b)", re.MULTILINE)


def _reloading(project: Project, rel: str, kind: str) -> Verdict | None:
    """A server started with ``--reload`` (``uvicorn --reload``, ``fastapi dev``): a
    development stack that restarts on every source change, never a deployment."""
    if kind not in ("compose", "dockerfile"):
        return None
    text = project.text(rel, report=False) or ""
    match = _RELOAD.search(text) if "reload" in text or "fastapi" in text else None
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return Verdict(
        False, "it starts a server with --reload (a development stack)", Where(rel, line)
    )


def _readme(project: Project, rel: str) -> Verdict | None:
    """A README line that names the file for local development or tests only."""
    name = PurePosixPath(rel).name
    for readme in _readmes(project):
        text = project.text(readme, report=False) or ""
        if name not in text:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if name in line and _README_DEV.search(line.lower()):
                return Verdict(
                    False, f"{readme}:{number} names it for local use", Where(readme, number)
                )
    return None


def _readmes(project: Project) -> list[str]:
    def find() -> list[str]:
        return [
            rel
            for rel in project.files
            if rel.rsplit("/", 1)[-1].lower().startswith("readme") and rel.count("/") <= 2
        ]

    return project.memo("deployment:readmes", find)
