"""AC506 mutable-image-tag."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import Where, deployment
from agentcheck.deployment._build import helm_values
from agentcheck.deployment._classify import image_tag
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import workload_ignores

if TYPE_CHECKING:
    from agentcheck.parsing import Located
    from agentcheck.project import Project

__all__ = ["MutableImageTag"]


class MutableImageTag(Rule):
    """A production image is tagged ``latest`` or not tagged.

    What it does
    ------------
    Reports images in production files that are tagged ``latest`` or carry no tag (which
    means ``latest``): Kubernetes containers and init containers, compose ``image:`` (also
    the name a ``build:`` service pushes), ``FROM`` lines of production Dockerfiles (stage
    references and ``scratch`` excepted) and Helm values (``image.tag: latest``). Images
    written with a variable (``${TAG}``) are not judged.

    Why is this bad?
    ----------------
    ``latest`` names whatever was pushed last: two replicas can run different code, a node
    that pulls again after a restart silently upgrades, and a rollback to "the previous
    version" has nothing to point at. The deployment guide asks for Git-tagged versions and a
    verified rollback plan; both need an immutable image reference per release.

    Example
    -------
    ```yaml
    image: registry.example.com/agent:latest
    ```

    Use instead
    -----------
    ```yaml
    image: registry.example.com/agent:1.4.2  # or @sha256:<digest>
    ```
    """

    code = "AC506"
    name = "mutable-image-tag"
    severity = Severity.WARNING
    message = "A production image is tagged latest or untagged: rollback cannot be verified."
    fix = "Pin a release tag (agent:1.4.2) or a digest (agent@sha256:...)."

    def check(self, project: Project) -> Iterator[Finding]:
        dep = deployment(project)
        for w in dep.workloads:
            if not w.production or workload_ignores(w, self):
                continue
            for c in (*w.containers, *w.init_containers):
                if c.image is None or c.image_where is None:
                    continue
                problem = _mutable(c.image)
                if problem is not None:
                    owner = f"Container {c.name} of {w.kind} {w.name}"
                    if w.platform == "compose":
                        owner = f"compose service {w.name}"
                    yield self._finding(c.image_where, c.image, problem, owner)
        for rel, info in sorted(dep.dockerfiles.items()):
            if not info.production:
                continue
            stages = _stage_names(project, rel, [where for _, where in info.froms])
            for image, where in info.froms:
                if image.lower() in stages or image.lower() == "scratch":
                    continue
                problem = _mutable(image)
                if problem is not None:
                    yield self._finding(where, image, problem, f"The FROM line of {rel}")
        for rel, doc in helm_values(project):
            yield from self._helm(rel, doc)

    def _finding(self, where: Where, image: str, problem: str, owner: str) -> Finding:
        base = image.split("@", 1)[0]
        if problem == "latest":
            base = base.rsplit(":", 1)[0]
        said = f"{image}, tagged latest" if problem == "latest" else f"{image} with no tag"
        return self.finding(
            where.path,
            where.line,
            where.column,
            message=f"{owner} uses {said}: every pull may bring different code and a "
            "rollback has no version to return to.",
            fix=f"Pin `{base}:<release>` (for example {base}:1.4.2) or a digest "
            f"`{base}@sha256:...`.",
        )

    def _helm(self, rel: str, doc: Located) -> Iterator[Finding]:
        for path, block in _mappings(doc.data, ()):
            tag = block.get("tag")
            if "repository" not in block or not isinstance(tag, str):
                continue
            if tag.strip().lower() != "latest":
                continue
            line, column = doc.loc(*path, "tag")
            repo = str(block.get("repository"))
            yield self.finding(
                rel,
                line,
                column,
                message=f"Helm value {'.'.join(map(str, path)) or 'image'}.tag is latest for "
                f"{repo}: every pull may bring different code and a rollback has no version "
                "to return to.",
                fix=f'Set `tag: "1.4.2"` (the release) for {repo}, or leave it empty to use '
                "the chart's appVersion.",
            )


def _mutable(image: str) -> str | None:
    """``"latest"`` / ``"untagged"`` for a mutable reference, None when pinned or unknown."""
    if not image.strip() or "$" in image or "{{" in image:
        return None
    tag = image_tag(image.strip())
    if tag is None:
        return "untagged"
    if "@" in image:
        return None
    return "latest" if tag.strip().lower() == "latest" else None


def _stage_names(project: Project, rel: str, wheres: list[Where]) -> set[str]:
    """Names given to build stages (``FROM python:3.11 AS build``), lower-cased."""
    lines = (project.text(rel, report=False) or "").splitlines()
    names = set()
    for where in wheres:
        if 0 < where.line <= len(lines):
            words = [w for w in lines[where.line - 1].split() if not w.startswith("--")]
            if len(words) >= 4 and words[2].lower() == "as":
                names.add(words[3].lower())
    return names


def _mappings(
    data: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    if isinstance(data, Mapping):
        yield path, data
        for key, value in data.items():
            if isinstance(value, Mapping | list):
                yield from _mappings(value, (*path, str(key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _mappings(value, (*path, i))
