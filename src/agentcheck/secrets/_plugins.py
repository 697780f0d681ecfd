"""detect-secrets' detector plugins, used as a library.

The well-known formats (AWS, GitHub, GitLab, Slack, Stripe, private keys, JWTs, ...) come from
detect-secrets' plugins. We instantiate the plugin classes ourselves and call only their
``denylist`` patterns and ``analyze_string`` (which validates, e.g. that a JWT decodes), never
``analyze_line`` or the scan API: those read detect-secrets' process-wide settings and may call
the network to verify a secret. Nothing here touches ``detect_secrets.settings``, so scanning is
safe in worker processes and beside other users of detect-secrets.

Importing detect-secrets costs about a quarter of a second, so a plugin is imported only when a
file holds one of its anchors. Plugins left out, and why:

- ``KeywordDetector``, ``Base64HighEntropyString``, ``HexHighEntropyString``: replaced by our
  named-assignment detector, which counts high-entropy strings only under a secret's name
  (detect-secrets flags every random hex id and hash).
- ``BasicAuthDetector``: replaced by our URL detector, which knows placeholders and databases.
- ``ArtifactoryDetector``: its ``AP[0-9A-F]...`` password shape matches ordinary words.
- ``IPPublicDetector``: an address is not a credential.
- ``CloudantDetector``, ``IbmCloudIamDetector``, ``IbmCosHmacDetector``, ``SoftlayerDetector``:
  keyword-based, covered by the named-assignment detector.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from agentcheck._deferred import deferred

__all__ = ["PLUGINS", "PluginSpec", "plugin_matches"]


@dataclass(frozen=True)
class PluginSpec:
    """A detect-secrets plugin and the anchors that must occur before it runs.

    ``anchors`` are case-sensitive literals; ``context`` are lower-case words (the provider's
    name) for formats without a literal prefix.
    """

    module: str
    cls: str
    kind: str
    anchors: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    #: The pattern group that is the secret (0: the whole match).
    group: int = 0
    #: Whether it counts in test files (tests sign their own JWTs and carry throwaway keys).
    in_tests: bool = True
    #: For a spec found by its ``context`` word: a part of the plugin's pattern (same
    #: characters, same flags) that every match contains. A window without it holds nothing
    #: the plugin could find, and detect-secrets (a quarter of a second to import) is not
    #: imported for every ``aws`` or ``discord`` in a manifest.
    shape: re.Pattern[str] | None = None


PLUGINS: tuple[PluginSpec, ...] = (
    PluginSpec("aws", "AWSKeyDetector", "AWS access key", ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")),
    PluginSpec(
        "aws",
        "AWSKeyDetector",
        "AWS secret access key",
        context=("aws",),
        group=1,
        shape=re.compile(r"[0-9a-zA-Z/+]{40}", re.IGNORECASE),
    ),
    PluginSpec(
        "azure_storage_key", "AzureStorageKeyDetector", "Azure storage key", ("AccountKey=",)
    ),
    PluginSpec(
        "discord",
        "DiscordBotTokenDetector",
        "Discord bot token",
        context=("discord",),
        shape=re.compile(r"\.[a-zA-Z\d_-]{27}"),
    ),
    PluginSpec(
        "github_token",
        "GitHubTokenDetector",
        "GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    PluginSpec(
        "gitlab_token",
        "GitLabTokenDetector",
        "GitLab token",
        (
            "glpat-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glrt-",
            "GR1348941",
            "glcbt-",
            "glimt-",
            "glptt-",
            "glagent-",
            "gloas-",
        ),
    ),
    PluginSpec("jwt", "JwtTokenDetector", "JSON Web Token", ("eyJ",), in_tests=False),
    PluginSpec(
        "mailchimp",
        "MailchimpDetector",
        "Mailchimp API key",
        context=("mailchimp",),
        shape=re.compile(r"[0-9a-z]{32}-us"),
    ),
    PluginSpec("npm", "NpmDetector", "npm token", ("_authToken",)),
    PluginSpec("openai", "OpenAIDetector", "OpenAI API key", ("T3BlbkFJ",)),
    PluginSpec(
        "private_key",
        "PrivateKeyDetector",
        "private key",
        ("PRIVATE KEY", "PuTTY-User-Key-File-2"),
        in_tests=False,
    ),
    PluginSpec("pypi_token", "PypiTokenDetector", "PyPI token", ("pypi-Ag",)),
    PluginSpec("sendgrid", "SendGridDetector", "SendGrid API key", ("SG.",)),
    PluginSpec("slack", "SlackDetector", "Slack token", ("xox", "hooks.slack.com")),
    PluginSpec("square_oauth", "SquareOAuthDetector", "Square OAuth secret", ("sq0csp-",)),
    PluginSpec("stripe", "StripeDetector", "Stripe secret key", ("sk_live_", "rk_live_")),
    PluginSpec(
        "telegram_token",
        "TelegramBotTokenDetector",
        "Telegram bot token",
        context=("telegram",),
        shape=re.compile(r":[0-9A-Za-z_-]{35}"),
    ),
    PluginSpec(
        "twilio",
        "TwilioKeyDetector",
        "Twilio API key",
        context=("twilio",),
        shape=re.compile(r"[a-z0-9]{32}"),
    ),
)

#: The patterns of each plugin that belong to a spec (AWS's two patterns are two kinds).
_PATTERN_INDEX = {
    ("AWSKeyDetector", "AWS access key"): (0,),
    ("AWSKeyDetector", "AWS secret access key"): (1,),
}
_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.]*")


#: What detect-secrets imports only to verify a secret over the network (never done here):
#: requests and urllib3 were two thirds of its import (0.09 -> 0.017 s in a scan worker).
_DEFERRED_IMPORTS = ("requests",)


@cache
def _plugin(module: str, cls: str) -> Any:
    with deferred(*_DEFERRED_IMPORTS):
        mod = importlib.import_module(f"detect_secrets.plugins.{module}")
    return getattr(mod, cls)()


def plugin_matches(spec: PluginSpec, window: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, value)`` of every secret ``spec``'s plugin finds in ``window``.

    Positions come from the plugin's own ``denylist`` patterns. A plugin that validates what
    its patterns match (it overrides ``analyze_string``, as the JWT plugin does) must accept
    the value. The whole match is the value, except for patterns whose group is the secret
    (``spec.group``): detect-secrets' ``findall`` would return a token's prefix group alone
    (``ghp`` for a GitHub token).
    """
    plugin = _plugin(spec.module, spec.cls)
    validates = "analyze_string" in type(plugin).__dict__
    patterns = list(plugin.denylist)
    wanted = _PATTERN_INDEX.get((spec.cls, spec.kind), tuple(range(len(patterns))))
    for index in wanted:
        pattern: re.Pattern[str] = patterns[index]
        for match in pattern.finditer(window):
            start, end = match.span(spec.group)
            if start < 0:
                continue
            if spec.cls == "JwtTokenDetector":
                # The plugin's pattern stops early (a lazy tail); a token runs to its end.
                tail = _JWT_TAIL.match(window, end)
                end = tail.end() if tail else end
            value = window[start:end]
            if validates and not any(True for _ in plugin.analyze_string(value)):
                continue
            yield start, end, value
