"""Built-in rules: secrets (AC2xx). Loaded through the `agentcheck` entry-point group."""

from __future__ import annotations

from agentcheck.hookspecs import hookimpl
from agentcheck.lint.rule import Rule
from agentcheck.lint.rules.secrets.ac201_hardcoded_secret import HardcodedSecret
from agentcheck.lint.rules.secrets.ac202_env_file_tracked import EnvFileTracked
from agentcheck.lint.rules.secrets.ac203_env_file_not_ignored import EnvFileNotIgnored
from agentcheck.lint.rules.secrets.ac204_env_file_in_image import EnvFileInImage
from agentcheck.lint.rules.secrets.ac205_plaintext_secret_in_manifest import (
    PlaintextSecretInManifest,
)
from agentcheck.lint.rules.secrets.ac206_secret_on_command_line import SecretOnCommandLine
from agentcheck.lint.rules.secrets.ac207_default_database_credentials import (
    DefaultDatabaseCredentials,
)

__all__ = [
    "DefaultDatabaseCredentials",
    "EnvFileInImage",
    "EnvFileNotIgnored",
    "EnvFileTracked",
    "HardcodedSecret",
    "PlaintextSecretInManifest",
    "SecretOnCommandLine",
]


@hookimpl
def agentcheck_rules() -> list[type[Rule]]:
    return [
        HardcodedSecret,
        EnvFileTracked,
        EnvFileNotIgnored,
        EnvFileInImage,
        PlaintextSecretInManifest,
        SecretOnCommandLine,
        DefaultDatabaseCredentials,
    ]
