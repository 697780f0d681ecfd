"""The Rule base class that every lint rule, built-in or third-party, derives from."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from agentcheck.lint.finding import Finding, Severity

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["Rule"]

_CODE = re.compile(r"^[A-Z]{2,4}\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


class Rule:
    """A deployment check over a parsed :class:`~agentcheck.project.Project`.

    Subclasses set the class attributes and implement :meth:`check`. The class docstring is
    the rule's documentation (``agentcheck explain``) and uses the headings
    ``What it does``, ``Why is this bad?``, ``Example`` and ``Use instead``, each followed by
    a line of ``-``. A rule never imports the user's code and never touches the network.
    """

    #: Permanent code, e.g. ``"AC102"``. Never reused.
    code: ClassVar[str]
    #: Kebab-case name, e.g. ``"graph-target-missing"``.
    name: ClassVar[str]
    #: Default severity; users override it per rule.
    severity: ClassVar[Severity] = Severity.ERROR
    #: One sentence: what is wrong. A finding may refine it.
    message: ClassVar[str]
    #: One sentence: what to do instead.
    fix: ClassVar[str] = ""
    #: The rule reports a file only because it describes production: where agentcheck
    #: counts the file as production by default alone (nothing says what it is for), the
    #: runner lowers the finding's severity one step and says how to mark the file.
    production_dependent: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or "code" not in cls.__dict__:
            return
        if not _CODE.match(cls.code):
            raise TypeError(f"{cls.__qualname__}: rule code {cls.code!r} is not like 'AC123'")
        if not _NAME.match(cls.name):
            raise TypeError(f"{cls.__qualname__}: rule name {cls.name!r} is not kebab-case")

    def check(self, project: Project) -> Iterable[Finding]:
        """Yield the findings for ``project``."""
        raise NotImplementedError

    @classmethod
    def prefetch(cls, project: Project) -> None:
        """Optional: start, before any rule runs, slow work this rule will need that can run
        on other processes meanwhile (the secrets scan of a large tree). What it starts is
        registered with :meth:`Project.on_close <agentcheck.project.Project.on_close>`, so
        that the runner stops it if no rule collects it. By default, nothing."""

    def finding(
        self,
        path: str,
        line: int = 1,
        column: int = 1,
        *,
        message: str | None = None,
        fix: str | None = None,
        severity: Severity | None = None,
        anchor: str = "",
    ) -> Finding:
        """Build a finding of this rule at ``path:line:column``."""
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            path=path,
            line=max(int(line), 1),
            column=max(int(column), 1),
            message=message or self.message,
            fix=self.fix if fix is None else fix,
            anchor=anchor,
        )

    @classmethod
    def documentation(cls) -> str:
        """The rule's docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first line of the documentation, or the message."""
        doc = cls.documentation()
        return doc.splitlines()[0] if doc else cls.message

    def __repr__(self) -> str:
        return f"<Rule {self.code} {self.name}>"
