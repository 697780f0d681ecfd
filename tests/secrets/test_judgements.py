"""The judgements the detectors share: names, values, redaction, fingerprints."""

from __future__ import annotations

import pytest

from agentcheck.secrets import (
    compose_default,
    fingerprint,
    is_interpolated,
    is_placeholder,
    is_reference,
    is_secret_name,
    is_trivial_password,
    plausible_named_secret,
    redact,
    secret_word,
)
from tests.secrets.fakekeys import KEYS


@pytest.mark.parametrize(
    "name",
    [
        "OPENAI_API_KEY",
        "openaiApiKey",
        "x-api-key",
        "LANGSMITH_API_KEY",
        "LANGGRAPH_CLOUD_LICENSE_KEY",
        "POSTGRES_PASSWORD",
        "DB_PASS",
        "dbPassword",
        "GITHUB_TOKEN",
        "SECRET_KEY",
        "SECRET_KEY_BASE",
        "JWT_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "PRIVATE_KEY",
        "client_secret",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "API_KEY_PROD",
        "token",
        "secret",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "AWS_ACCESS_KEY_ID",
        "API_KEY_ID",
        "KEY_PREFIX",
        "REDIS_KEY_PREFIX",
        "CACHE_KEY",
        "PRIMARY_KEY",
        "PUBLIC_KEY",
        "IDEMPOTENCY_KEY",
        "MAX_TOKENS",
        "max_tokens",
        "NEXT_TOKEN",
        "TOKEN_URL",
        "PASSWORD_FILE",
        "POSTGRES_PASSWORD_FILE",
        "SECRET_NAME",
        "IS_SECRET",
        "key",
        "PWD",
        "pass",
        "KEYBOARD_LAYOUT",
        "MONKEY_PATCH",
        "BYPASS",
    ],
)
def test_names_that_are_not_secrets(name: str) -> None:
    assert not is_secret_name(name)


def test_the_secret_word_is_what_decides_the_value_rules() -> None:
    assert secret_word("POSTGRES_PASSWORD") == "password"
    assert secret_word("OPENAI_API_KEY") == "key"
    assert secret_word("DB_PASS") == "pass"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "sk-...",
        "your-api-key",
        "<token>",
        "changeme",
        "xxxxxxxx",
        "REDACTED",
        "${OPENAI_API_KEY}",
        "{{ .Values.apiKey }}",
        "$(cat /run/secrets/key)",
        "mysecretpassword",
        "null",
        "test",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("key", sorted(KEYS))
def test_the_planted_keys_are_not_placeholders(key: str) -> None:
    assert not is_placeholder(KEYS[key])


def test_interpolation_and_compose_defaults() -> None:
    assert is_interpolated("${LANGSMITH_API_KEY:?set it}")
    assert is_interpolated("postgresql://agent:${PW}@db/agent")
    assert not is_interpolated(KEYS["openai_project"])
    assert compose_default("${PW:-s3cr3t-value}") == "s3cr3t-value"
    assert compose_default("${PW-fallback}") == "fallback"
    assert compose_default("${PW}") is None
    assert compose_default("${PW:?required}") is None
    assert compose_default("literal") == "literal"


@pytest.mark.parametrize(
    "value",
    [
        "/run/secrets/gcp.json",
        "./keys/service-account.json",
        "settings.api_key",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent",
        "op://vault/agent/key",
        "https://example.com/token",
        "ops@example.com",
        "4096",
        "true",
    ],
)
def test_references_point_at_secrets_without_holding_them(value: str) -> None:
    assert is_reference(value)


def test_trivial_passwords() -> None:
    for value in ("postgres", "changeme", "123456", "admin", "qwertyuiop", "abc"):
        assert is_trivial_password(value), value
    assert not is_trivial_password(KEYS["db_password"])


def test_named_secrets_keys_must_be_long_and_random_passwords_short_but_generated() -> None:
    assert plausible_named_secret("key", KEYS["secret_key"])
    assert not plausible_named_secret("key", "short-value")
    assert not plausible_named_secret("key", "support_agent_settings_name")
    assert not plausible_named_secret("key", "0f8fad5b-d9cb-469f-a165-70867728950e")
    assert plausible_named_secret("password", "Zq8vR2mK")
    assert not plausible_named_secret("password", "hunter2x")  # a word and a digit: typed
    assert not plausible_named_secret("password", "current_password")
    assert not plausible_named_secret("secret", "id=pip_token,env=PIP_INDEX_TOKEN")


def test_redact_keeps_a_short_prefix_and_the_length() -> None:
    key = KEYS["openai_project"]
    assert redact(key) == f"{key[:6]}…(164 chars)"
    assert redact("hunter2x") == "hu…(8 chars)"
    assert redact("abc") == "…(3 chars)"
    assert redact("a\nb\tcdefgh") == "a?…(10 chars)"


@pytest.mark.parametrize("key", sorted(KEYS))
def test_redaction_shows_at_most_six_characters_and_a_quarter(key: str) -> None:
    value = KEYS[key]
    shown = redact(value).split("…", 1)[0]
    assert len(shown) <= min(6, len(value) // 4)
    assert value not in redact(value)


def test_fingerprints_are_stable_hashes_not_the_value() -> None:
    value = KEYS["anthropic"]
    assert fingerprint(value) == fingerprint(value)
    assert fingerprint(value) != fingerprint(KEYS["anthropic_k8s"])
    assert value[:8] not in fingerprint(value)
    assert len(fingerprint(value)) == 20


def test_env_examples_are_recognised_by_every_rule_alike() -> None:
    from agentcheck.deployment._envfiles import dotenv_kind, is_example_of

    for name in (".env.example", ".env.full.example", ".env.quickstart.example", "env.example"):
        assert is_example_of(name, ".env"), name
    assert is_example_of(".env.production.example", ".env.production")
    assert not is_example_of(".env.production", ".env")
    assert not is_example_of(".env.local", ".env")
    assert dotenv_kind(".env.full.example") == "example"
    assert dotenv_kind(".env.e2e") == "env"
