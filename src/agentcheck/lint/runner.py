"""Running rules over a project: selection, crash isolation, suppressions, severities."""

from __future__ import annotations

import dataclasses
import functools
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec
import pluggy

from agentcheck.config import Config
from agentcheck.lint.cache import Entry, LintCache, cache_disabled, cacheable, open_cache
from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.core import ParseError, RuleCrashed, UnusedSuppression
from agentcheck.lint.selectors import check_selectors
from agentcheck.lint.suppressions import Suppression, annotation_codes, find_suppressions
from agentcheck.plugins import all_rules
from agentcheck.project import Project
from agentcheck.secrets import mask_text

__all__ = ["LintResult", "enabled_rules", "lint", "run_rules"]

_RUNNER_CODES = {ParseError.code, UnusedSuppression.code, RuleCrashed.code}


@dataclass
class LintResult:
    """What one lint run found."""

    findings: list[Finding]
    rules: Sequence[type[Rule]]
    suppressed: int = 0
    by_rule: dict[str, list[Finding]] = field(default_factory=dict)

    def failed(self, fail_on: Severity) -> bool:
        return any(f.severity >= fail_on for f in self.findings)

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return {"total": len(self.findings), **counts, "suppressed": self.suppressed}


def enabled_rules(
    project: Project,
    pm: pluggy.PluginManager | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> list[type[Rule]]:
    """The rules the project's configuration (and command-line select/ignore) enables."""
    config = project.config
    known = all_rules(pm)
    _check_configured_codes(config, known)
    out = []
    for rule in known:
        if select is not None:
            enabled = _matches(select, rule)
        else:
            enabled = config.is_selected(rule.code, rule.name)
        if enabled and ignore and _matches(ignore, rule):
            enabled = False
        if enabled:
            out.append(rule)
    return out


def _check_configured_codes(config: Config, known: Sequence[type[Rule]]) -> None:
    """Every code or name the configuration lists must name a rule: a typo in ``select``
    would otherwise disable every rule and report "All checks passed".

    :raises UsageError: for one that matches no rule, with a did-you-mean.
    """
    where = f"{config.source}: [tool.agentcheck]" if config.source else "[tool.agentcheck]"
    check_selectors(config.select, known, f"{where} select")
    check_selectors(config.ignore, known, f"{where} ignore")
    check_selectors(list(config.severity), known, f"{where} severity")
    for glob, codes in config.per_file_ignores.items():
        check_selectors(codes, known, f"{where} per-file-ignores {glob[:100]!r}")


def _matches(patterns: Sequence[str], rule: type[Rule]) -> bool:
    return any(p == "ALL" or p == rule.name or (p and rule.code.startswith(p)) for p in patterns)


def _crash_finding(rule: type[Rule], exc: BaseException, root: Path) -> Finding:
    frames = traceback.extract_tb(exc.__traceback__)
    frame = frames[-1] if frames else None
    path, line = "<unknown>", 1
    if frame is not None:
        line = frame.lineno or 1
        try:
            path = Path(frame.filename).resolve().relative_to(root).as_posix()
        except ValueError:
            path = frame.filename
    return Finding(
        code=RuleCrashed.code,
        name=RuleCrashed.name,
        severity=RuleCrashed.severity,
        path=path,
        line=line,
        column=1,
        message=f"{rule.code} [{rule.name}] crashed: {type(exc).__name__}: {exc}",
        fix=RuleCrashed.fix,
    )


def run_rules(
    project: Project, rules: Sequence[type[Rule]], cache: LintCache | None = None
) -> dict[str, list[Finding]]:
    """Run each rule, isolating crashes; returns raw findings keyed by rule code.

    AC100 runs last, so that it reports what every other rule failed to parse. Before any
    rule runs, each may start work on other processes (:meth:`Rule.prefetch`); whatever no
    rule collected is stopped at the end. The rules that do run after the others (AC100
    aside): on a large tree the secrets scan then ends while this process runs the other
    rules, where the first of them used to wait for it (0.3-0.4 s of a 2.5 s lint of 2,924
    files). Findings are sorted afterwards, so the order the rules run in is not seen. With a
    ``cache``, a rule whose cached result is still valid is replayed (and starts no work); the
    others run and are cached.
    """
    ordered = sorted(rules, key=lambda r: (r.code == ParseError.code, _prefetches(r), r.code))
    hits: dict[str, Entry] = {}
    if cache is not None:
        for rule_cls in ordered:
            entry = cache.lookup(rule_cls.code) if cacheable(rule_cls) else None
            if entry is not None:
                hits[rule_cls.code] = entry
    try:
        for rule_cls in ordered:
            if rule_cls.code in hits:
                continue
            try:
                rule_cls.prefetch(project)
            except Exception:
                continue  # the rule's check() meets the same problem and reports it
        return _run_ordered(project, ordered, cache, hits)
    finally:
        project.close()


def _prefetches(rule: type[Rule]) -> bool:
    """Whether the rule starts work on other processes before the rules run: it runs after
    the others (AC100 aside), which the lint's own process does while that work goes on."""
    return rule.prefetch.__func__ is not Rule.prefetch.__func__  # type: ignore[attr-defined]


def _run_ordered(
    project: Project,
    ordered: Sequence[type[Rule]],
    cache: LintCache | None,
    hits: dict[str, Entry],
) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for rule_cls in ordered:
        code = rule_cls.code
        if code in (UnusedSuppression.code, RuleCrashed.code):
            continue
        if cache is not None and code in hits:
            out.setdefault(code, []).extend(cache.replay(hits[code]))
            continue
        if cache is not None and code == ParseError.code:
            _parse_inputs(project, cache)
        if cache is not None and cacheable(rule_cls):
            result, frame = cache.reads.run(functools.partial(_run_one, project, rule_cls))
            if not isinstance(result, Finding):
                cache.store(code, result, frame)
        else:
            result = _run_one(project, rule_cls)
        if isinstance(result, Finding):
            out.setdefault(RuleCrashed.code, []).append(result)
        else:
            out.setdefault(code, []).extend(result)
    return out


def _run_one(project: Project, rule_cls: type[Rule]) -> list[Finding] | Finding:
    """The rule's findings, or the AC901 finding of its crash."""
    try:
        found = list(rule_cls().check(project))
    except Exception as exc:
        return _crash_finding(rule_cls, exc, project.root)
    # One finding per place and message: a compose service deployed alone and with an
    # overlay is judged twice by the rules that read workloads, with the same result.
    unique = {(f.path, f.line, f.column, f.message): f for f in found}
    kept = list(unique.values())
    if rule_cls.production_dependent and kept:
        kept = _unsure_production(project, kept)
    return kept


def _parse_inputs(project: Project, cache: LintCache) -> None:
    """What AC100 parses for itself (:func:`~agentcheck.lint.rules.core.read_inputs`),
    replayed from the cache when nothing it read changed, else parsed and cached."""
    from agentcheck.lint.rules.core import INPUTS_MEMO, read_inputs

    entry = cache.lookup(INPUTS_MEMO)
    if entry is not None:
        cache.replay(entry)
        project.memo(INPUTS_MEMO, lambda: None)
        return
    try:
        _, frame = cache.reads.run(lambda: project.memo(INPUTS_MEMO, lambda: read_inputs(project)))
    except Exception:
        return  # AC100 meets it again, and its crash is AC901
    cache.store(INPUTS_MEMO, [], frame)


_LOWER = {Severity.ERROR: Severity.WARNING, Severity.WARNING: Severity.INFO}


def _unsure_production(project: Project, findings: list[Finding]) -> list[Finding]:
    """Findings in files that only agentcheck's defaults count as production: one severity
    lower, saying how to mark the file (when unsure, report less)."""
    from agentcheck.deployment import deployment
    from agentcheck.deployment._production import how_to_mark

    files = deployment(project).files
    out = []
    for finding in findings:
        known = files.get(finding.path)
        if known is not None and known.verdict.production and not known.verdict.sure:
            finding = dataclasses.replace(
                finding,
                severity=_LOWER.get(finding.severity, finding.severity),
                message=f"{finding.message} {how_to_mark(finding.path)}",
            )
        out.append(finding)
    return out


def lint(
    project: Project,
    rules: Sequence[type[Rule]] | None = None,
    *,
    pm: pluggy.PluginManager | None = None,
    cache: bool = False,
    cache_dir: Path | None = None,
) -> LintResult:
    """Run ``rules`` (default: the enabled ones) and apply the configuration.

    Findings in files matched by ``per-file-ignores`` or on a line with a suppression naming
    their code are dropped; severities are overridden as configured; suppressions that
    suppress nothing become AC900. With ``cache`` (and ``AGENTCHECK_NO_CACHE`` unset), rule
    results are kept in ``cache_dir`` (default ``.agentcheck_cache`` at the root) and
    replayed while what they read is unchanged (:mod:`agentcheck.lint.cache`).
    """
    if rules is None:
        rules = enabled_rules(project, pm)
    enabled = {r.code for r in rules}
    store = None
    if cache and not cache_disabled():
        store = open_cache(project, all_rules(pm), cache_dir)
    raw = run_rules(project, rules, store)
    if store is not None:
        store.save()
    config = project.config
    pfi = [
        (pathspec.GitIgnoreSpec.from_lines([glob]), codes)
        for glob, codes in config.per_file_ignores.items()
    ]

    suppressions: dict[str, list[Suppression]] = {}

    def suppressions_for(path: str) -> list[Suppression]:
        if path not in suppressions:
            text = project.text(path, report=False) if path in project.files else None
            suppressions[path] = find_suppressions(path, text) if text else []
        return suppressions[path]

    kept: list[Finding] = []
    suppressed = 0
    for code, findings in raw.items():
        for finding in findings:
            if code not in enabled and code != RuleCrashed.code:
                continue
            if any(
                spec.match_file(finding.path) and any(_code_matches(c, finding) for c in codes)
                for spec, codes in pfi
            ):
                suppressed += 1
                continue
            if _annotation_ignores(project, finding):
                suppressed += 1
                continue
            hit = [
                s
                for s in suppressions_for(finding.path)
                if s.line == finding.line and s.covers(finding.code, finding.name)
            ]
            if hit:
                for s in hit:
                    s.used.add(finding.code)
                    s.used.add(finding.name)
                suppressed += 1
                continue
            override = config.severity.get(finding.code) or config.severity.get(finding.name)
            kept.append(finding.with_severity(override) if override else finding)

    if UnusedSuppression.code in enabled:
        replayed = store.texts if store is not None else {}
        for path in list(dict.fromkeys([*project.texts_read, *replayed])):
            suppressions_for(path)
        for sups in suppressions.values():
            for s in sups:
                unused = [
                    c
                    for c in s.codes
                    if c not in s.used and (c in enabled or c in {r.name for r in rules})
                ]
                if unused:
                    finding = Finding(
                        code=UnusedSuppression.code,
                        name=UnusedSuppression.name,
                        severity=config.severity.get(UnusedSuppression.code)
                        or UnusedSuppression.severity,
                        path=s.path,
                        line=s.line,
                        column=s.column,
                        message=f"Unused suppression of {', '.join(unused)}: "
                        "nothing on this line has that finding.",
                        fix=UnusedSuppression.fix,
                    )
                    kept.append(finding)
    kept = [_masked(f) for f in kept]
    kept.sort(key=lambda f: f.sort_key)
    by_rule: dict[str, list[Finding]] = {r.code: [] for r in rules}
    for f in kept:
        by_rule.setdefault(f.code, []).append(f)
    return LintResult(kept, rules, suppressed, by_rule)


def _masked(finding: Finding) -> Finding:
    """The finding with any credential its message or fix echoes masked: every output
    format, the pytest plugin and baselines see only this form."""
    message, fix = mask_text(finding.message), mask_text(finding.fix)
    if message == finding.message and fix == finding.fix:
        return finding
    return dataclasses.replace(finding, message=message, fix=fix)


def _annotation_ignores(project: Project, finding: Finding) -> bool:
    """Whether the Kubernetes object whose document holds the finding's line carries an
    ``agentcheck.io/ignore`` annotation naming the finding's code or rule name."""
    if not finding.path.endswith((".yaml", ".yml")):
        return False
    docs = [doc for _, doc in project.k8s_objects_in(finding.path)]
    holder = None
    for doc in docs:
        if doc.start_line <= finding.line and (
            holder is None or doc.start_line >= holder.start_line
        ):
            holder = doc
    if holder is None:
        return False
    codes = annotation_codes(holder.data)
    return finding.code in codes or finding.name in codes


def _code_matches(pattern: str, finding: Finding) -> bool:
    return pattern == "ALL" or pattern == finding.name or finding.code.startswith(pattern)
