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


PLUGINS: tuple[PluginSpec, ...] = (
    PluginSpec("aws", "AWSKeyDetector", "AWS access key", ("AKIA", "ASIA", "ABIA", "ACCA", "A3T")),
    PluginSpec("aws", "AWSKeyDetector", "AWS secret access key", context=("aws",)),
    PluginSpec(
        "azure_storage_key", "AzureStorageKeyDetector", "Azure storage key", ("AccountKey=",)
    ),
    PluginSpec("discord", "DiscordBotTokenDetector", "Discord bot token", context=("discord",)),
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
    PluginSpec("jwt", "JwtTokenDetector", "JSON Web Token", ("eyJ",)),
    PluginSpec("mailchimp", "MailchimpDetector", "Mailchimp API key", context=("mailchimp",)),
    PluginSpec("npm", "NpmDetector", "npm token", ("_authToken",)),
    PluginSpec("openai", "OpenAIDetector", "OpenAI API key", ("T3BlbkFJ",)),
    PluginSpec(
        "private_key",
        "PrivateKeyDetector",
        "private key",
        ("PRIVATE KEY", "PuTTY-User-Key-File-2"),
    ),
    PluginSpec("pypi_token", "PypiTokenDetector", "PyPI token", ("pypi-Ag",)),
    PluginSpec("sendgrid", "SendGridDetector", "SendGrid API key", ("SG.",)),
    PluginSpec("slack", "SlackDetector", "Slack token", ("xox", "hooks.slack.com")),
    PluginSpec("square_oauth", "SquareOAuthDetector", "Square OAuth secret", ("sq0csp-",)),
    PluginSpec("stripe", "StripeDetector", "Stripe secret key", ("sk_live_", "rk_live_")),
    PluginSpec(
        "telegram_token", "TelegramBotTokenDetector", "Telegram bot token", context=("telegram",)
    ),
    PluginSpec("twilio", "TwilioKeyDetector", "Twilio API key", context=("twilio",)),
)

#: The patterns of each plugin that belong to a spec (AWS's two patterns are two kinds).
_PATTERN_INDEX = {
    ("AWSKeyDetector", "AWS access key"): (0,),
    ("AWSKeyDetector", "AWS secret access key"): (1,),
}
_JWT_TAIL = re.compile(r"[A-Za-z0-9_\-+/=.]*")


@cache
def _plugin(module: str, cls: str) -> Any:
    mod = importlib.import_module(f"detect_secrets.plugins.{module}")
    return getattr(mod, cls)()


def plugin_matches(spec: PluginSpec, window: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, value)`` of every secret ``spec``'s plugin finds in ``window``.

    Positions come from the plugin's own ``denylist`` patterns; a match counts only when the
    plugin's ``analyze_string`` reports the same value (its validation, e.g. JWT decoding).
    """
    plugin = _plugin(spec.module, spec.cls)
    confirmed = set(plugin.analyze_string(window))
    if not confirmed:
        return
    patterns = list(plugin.denylist)
    wanted = _PATTERN_INDEX.get((spec.cls, spec.kind), tuple(range(len(patterns))))
    for index in wanted:
        pattern: re.Pattern[str] = patterns[index]
        for match in pattern.finditer(window):
            group = next((g for g in range(1, (pattern.groups or 0) + 1) if match.group(g)), 0)
            value = match.group(group)
            if value not in confirmed:
                continue
            start, end = match.span(group)
            if spec.cls == "JwtTokenDetector":
                # The plugin's pattern stops early (a lazy tail); a token runs to its end.
                tail = _JWT_TAIL.match(window, end)
                end = tail.end() if tail else end
                value = window[start:end]
            yield start, end, value
