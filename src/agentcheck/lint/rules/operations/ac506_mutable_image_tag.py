"""AC506 mutable-image-tag."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.deployment import Where, deployment
from agentcheck.deployment._classify import image_tag
from agentcheck.deployment.model import HelmImage
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.operations._common import workload_ignores

if TYPE_CHECKING:
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
    production_dependent = True
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
            # The stages the deployed image is built on (a builder stage is not deployed).
            for image, where in info.lineage or info.froms:
                if image.lower() in info.stages or image.lower() == "scratch":
                    continue
                problem = _mutable(image)
                if problem is not None:
                    yield self._finding(where, image, problem, f"The FROM line of {rel}")
        # A chart's workloads report their own images (above); other pins of its values
        # (images of disabled components, subcharts) are reported here.
        seen = {c.image_where for w in dep.workloads for c in (*w.containers, *w.init_containers)}
        for pinned in dep.helm_images:
            if pinned.where in seen:
                continue
            if pinned.tag.strip().lower() == "latest":
                yield self._helm(pinned)

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

    def _helm(self, image: HelmImage) -> Finding:
        repo = image.repository
        return self.finding(
            image.where.path,
            image.where.line,
            image.where.column,
            message=f"Helm value {image.name}.tag is latest for {repo}: every pull may bring "
            "different code and a rollback has no version to return to.",
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
