"""AC201 hardcoded-secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from agentcheck.lint.finding import Finding, Severity
from agentcheck.lint.rules.secrets._common import ScanningRule, scanned_hits
from agentcheck.lint.rules.secrets._judge import manifest_secret_places

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["HardcodedSecret"]


class HardcodedSecret(ScanningRule):
    """A credential is written in a committed file.

    What it does
    ------------
    Scans the working tree as git would commit it (the tracked files and the untracked ones
    nothing ignores; outside git every file not ignored; untracked local ``.env`` files are
    AC203's) for credentials: keys of the LLM stack (OpenAI project, service-account and admin
    keys, Anthropic, LangSmith ``lsv2_pt_``/``lsv2_sk_``, Google AI, Groq, Tavily, Hugging Face,
    Pinecone, Cohere, Mistral, OpenRouter, Perplexity, xAI, Replicate, Fireworks), the
    well-known formats of detect-secrets' plugins (AWS, GitHub, GitLab, Slack, Stripe, npm,
    PyPI, SendGrid, JWTs, private keys ...), passwords in URLs (``postgresql://app:...@db``),
    ``Authorization: Bearer`` tokens, and long random values assigned to a secret's name
    (``SECRET_KEY = "9f2c..."``). Markdown and docs count: a key in a README is leaked too.
    Everywhere, docs and code alike, a value under a secret's name must look generated: code
    (``getattr(settings, "x")``, ``optional(string)``, ``cookies.get("sid")?.value``), field
    descriptions (``- password: Master database password``), truncated examples
    (``eyJhbGci...``), values made of words (``alice123``, ``linkedInAccessToken``), names of
    secrets held elsewhere (``secretKeyRef`` keys, RBAC ``resourceNames``), regular
    expressions and URLs on documentation hosts (``db.example.com``) are not credentials, nor
    is a private key's ``BEGIN`` line without the key under it.

    A random-looking string alone is not a finding: ids, hashes, UUIDs, digests and lock
    files are not secrets. Placeholders (``sk-...``, ``your-api-key``, ``<token>``,
    ``${OPENAI_API_KEY}``, keyboard mash) and the fakes of test files (a value that is not in
    a provider's format, under ``tests/``) are not reported; default database passwords are
    AC207's business; a secret written as a deployment manifest's variable is AC205's.
    The value never appears in the output: only a short prefix and its length.

    Why is this bad?
    ----------------
    Whatever is committed is in every clone, fork, CI cache and backup, and in the history
    after the line is deleted. Leaked LLM keys are found by scrapers within minutes and billed
    to you; a LangSmith key exposes every trace, prompts and user data included. The seed
    checklist: real API keys never live in code or git.

    Example
    -------
    ```python
    llm = ChatOpenAI(model="gpt-4o", api_key="sk-proj-...")  # a real key
    ```

    Use instead
    -----------
    ```python
    llm = ChatOpenAI(model="gpt-4o")  # reads OPENAI_API_KEY from the environment
    ```
    """

    code = "AC201"
    name = "hardcoded-secret"
    severity = Severity.ERROR
    message = "A credential is written in a committed file."
    fix = (
        "Revoke the credential now, remove it from the file and from git history, and read it "
        "from the environment or a secret manager."
    )

    def check(self, project: Project) -> Iterator[Finding]:
        manifest_places = manifest_secret_places(project)
        for path, hits in sorted(scanned_hits(project).items()):
            for hit in hits:
                if (path, hit.line) in manifest_places:
                    continue  # AC205 reports it, with the manifest's fix
                yield self.finding(
                    path,
                    hit.line,
                    hit.column,
                    message=f"{hit.kind[:1].upper()}{hit.kind[1:]} `{hit.redacted}` is written "
                    f"in {path}.",
                    anchor=f"{hit.kind}:{hit.fingerprint}",
                )
