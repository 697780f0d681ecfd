"""AC207 default-database-credentials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets._databases import Exposure, exposures

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["DefaultDatabaseCredentials"]


class DefaultDatabaseCredentials(Rule):
    """A production database is published on all interfaces (worse: with default credentials).

    What it does
    ------------
    Finds PostgreSQL, MySQL/MariaDB, MongoDB and Redis in production compose files and
    Kubernetes manifests and reports the ones published on all interfaces, whatever their
    password: a compose port with no host address or ``0.0.0.0`` (``"5432:5432"``, also
    ``"${DB_PORT:-5432}:5432"`` as compose fills it), ``network_mode: host``, a ``hostPort``, or a
    LoadBalancer or NodePort Service in front of them. Loopback bindings (``127.0.0.1:5432:5432``)
    are not exposed. The message also says when the credentials are weak, judged from the
    variables the images read (``POSTGRES_PASSWORD`` equal to ``postgres`` or the user name,
    ``POSTGRES_HOST_AUTH_METHOD=trust``, ``MYSQL_ALLOW_EMPTY_PASSWORD``, MongoDB without a root
    user, Redis without ``--requirepass``); a value from elsewhere (``${VAR}``, a secret) is
    assumed strong. The finding is on the line that exposes it; a literal password itself is
    AC205's finding.

    Why is this bad?
    ----------------
    Scanners try ``postgres``/``postgres`` and unauthenticated Redis on every public address
    within hours; a strong password still leaves the database open to brute force and to the
    engine's next pre-authentication vulnerability. The database holds every thread and
    checkpoint of the agent, user messages included; an open Redis also lets an attacker write
    files on the host.

    Example
    -------
    ```yaml
    db:
      image: postgres:16
      environment:
        POSTGRES_PASSWORD: postgres
      ports:
        - "5432:5432"
    ```

    Use instead
    -----------
    ```yaml
    db:
      image: postgres:16
      environment:
        POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in the deploy environment}
      # no ports: the agent reaches db:5432 on the compose network
    ```
    """

    code = "AC207"
    name = "default-database-credentials"
    severity = Severity.WARNING
    production_dependent = True
    message = "A production database is published on all interfaces."
    fix = (
        "Stop publishing the database port (or bind it to 127.0.0.1) and give it a strong "
        "password injected from a secret."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        for exposure in exposures(project):
            # The runner applies an object's agentcheck.io/ignore to findings in its own
            # document; a finding at a Service also honours the database workload's.
            if self.code not in exposure.ignores and self.name not in exposure.ignores:
                yield self._finding(exposure)

    def _finding(self, e: Exposure) -> Finding:
        if e.weakness is not None:
            message = f"{e.engine.name} `{e.service}` {e.how} and has {e.weakness}."
        else:
            message = (
                f"{e.engine.name} `{e.service}` {e.how}: anyone who can reach the host can try "
                "its password."
            )
        return self.finding(e.where.path, e.where.line, e.where.column, message=message)
