"""Which manifest variables hold a plaintext secret (AC205), and where AC201 must stay quiet.

One code per place: a credential written as a manifest variable's value is AC205 (the fix is
the manifest's: ``secretKeyRef``, compose ``secrets``, CI injection), never AC201 too. That
includes a literal password in a ``DATABASE_URL`` of a compose file: the seed's own example
gets AC205 on that line (and AC207 on the published port of its database).

A value counts when:

- it holds a provider key (any manifest), or a literal URL password (default passwords such as
  ``postgres`` only in production manifests: a local compose file may use them);
- its variable has a secret's name (``OPENAI_API_KEY``, ``POSTGRES_PASSWORD``) or lives in a
  Kubernetes Secret, and it is a literal: not empty, not ``${VAR}`` interpolation, not a
  placeholder, not a path or reference; trivial values only in production manifests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agentcheck.deployment import EnvSetting, deployment
from agentcheck.secrets import (
    compose_default,
    fingerprint,
    is_placeholder,
    is_reference,
    is_trivial_password,
    name_words,
    redact,
    scan_text,
    secret_word,
    url_passwords,
)

if TYPE_CHECKING:
    from agentcheck.project import Project

__all__ = ["ManifestSecret", "judge", "manifest_secret_places", "manifest_secrets"]

#: Last words of a Secret's keys that hold no secret (the connection's other parts).
_NOT_SECRET_TAILS = frozenset(
    (w,)
    for w in (
        "user", "username", "login", "email", "host", "hostname", "port", "database", "db",
        "dbname", "name", "realm", "region", "id", "clientid", "account", "namespace",
    )
)  # fmt: skip


#: Words of a variable that signs or encrypts: a default value for it is a working key
#: anyone who reads the file holds, however placeholder-like it reads.
_SIGNING_WORDS = frozenset({"jwt", "signing", "session", "encryption", "hmac", "cookie", "csrf"})


def _signing_default(entry: EnvSetting, value: str) -> bool:
    """``JWT_SECRET_KEY: ${JWT_SECRET_KEY:-supersecret...}``: the default signs tokens in any
    deployment whose environment lacks the variable."""
    if entry.value is None or value == entry.value.strip() or "$" in value:
        return False  # not a ${VAR:-default}
    words = set(name_words(entry.name))
    signing = (
        bool(words & _SIGNING_WORDS)
        or (words >= {"secret", "key"})
        or entry.name.upper()
        in (
            "SECRET",
            "SECRET_KEY",
        )
    )
    return signing and len(value) >= 8 and not is_trivial_password(value)


@dataclass(frozen=True)
class ManifestSecret:
    """A manifest variable whose value is a plaintext secret."""

    entry: EnvSetting
    what: str
    redacted: str
    fingerprint: str


def _article(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def judge(entry: EnvSetting) -> ManifestSecret | None:
    """The plaintext secret in ``entry``'s value, or None."""
    if entry.value is None:
        return None
    value = compose_default(entry.value.strip())
    if not value:
        return None
    hits = scan_text(value, "manifest-value")
    for hit in hits:
        if hit.by_format:
            return ManifestSecret(entry, _article(hit.kind), hit.redacted, hit.fingerprint)
    if entry.secret_store and "\n" in value:
        # a file held in a Secret (a JSON config, a kubeconfig): a secret only where the scan
        # finds one inside it, not because the whole document is a literal
        if not hits:
            return None
        first = hits[0]
        return ManifestSecret(entry, _article(first.kind), first.redacted, first.fingerprint)
    for found in url_passwords(value):
        if entry.production or not found.trivial:
            return ManifestSecret(entry, _article(found.kind), found.redacted, found.fingerprint)
    if not (entry.secret_store or secret_word(entry.name)):
        return None
    if secret_word(entry.name) is None and name_words(entry.name)[-1:] in _NOT_SECRET_TAILS:
        return None  # a Secret's username, host or port: stored beside the password
    if _signing_default(entry, value):
        what = "a literal default, used whenever the variable is unset,"
        return ManifestSecret(entry, what, redact(value), fingerprint(value))
    if "$" in value or is_placeholder(value) or is_reference(value):
        return None
    if is_trivial_password(value) and not entry.production:
        return None
    what = "a literal value in a Secret manifest" if entry.secret_store else "a literal value"
    return ManifestSecret(entry, what, redact(value), fingerprint(value))


def manifest_secrets(project: Project) -> list[ManifestSecret]:
    """Every plaintext secret in the project's manifests (memoized)."""

    def build() -> list[ManifestSecret]:
        return [found for entry in deployment(project).settings if (found := judge(entry))]

    return project.memo("secrets:manifest-secrets", build)


def manifest_secret_places(project: Project) -> frozenset[tuple[str, int]]:
    """``(path, line)`` of every AC205 finding: AC201 reports nothing there. Kept in the lint
    cache: AC201 re-runs whenever any file changes, the deployment model behind this does not."""

    def build() -> frozenset[tuple[str, int]]:
        found = manifest_secrets(project)
        return frozenset((m.entry.where.path, m.entry.where.line) for m in found)

    def decode(raw: Any) -> frozenset[tuple[str, int]]:
        out = frozenset((path, line) for path, line in raw)
        if not all(isinstance(p, str) and type(n) is int for p, n in out):
            raise TypeError("not a list of places")
        return out

    return project.kept_memo("secrets:manifest-places", build, sorted, decode)
