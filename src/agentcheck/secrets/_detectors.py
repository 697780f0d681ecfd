"""Detectors for the LLM stack, and for credentials in context.

Each :class:`Detector` has literal *anchors*: a detector's regular expression runs only near an
occurrence of one of them, so a file without ``sk-``, ``lsv2_`` or ``AIza`` costs a few
substring searches. Format detectors recognise a provider's key by its shape; context detectors
(:data:`CONTEXT`) need a secret's name, a URL's userinfo or an ``Authorization`` header around
the value, and their values must also pass :mod:`agentcheck.secrets._values`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "ASSIGNMENT_TAIL",
    "BEARER",
    "DETECTORS",
    "FLAG_TAIL",
    "URL_CREDENTIALS",
    "Detector",
]

_B = r"(?<![A-Za-z0-9_\-])"  # not preceded by a token character
_E = r"(?![A-Za-z0-9_\-])"  # not followed by one


@dataclass(frozen=True)
class Detector:
    """One kind of credential, recognised by ``pattern`` near one of ``anchors``.

    ``pattern`` captures the value in the group ``secret`` (or matches it whole). ``prefix`` is
    how many leading characters of the value are its fixed, public prefix; the rest must look
    generated. Anchors are case-sensitive unless ``lower`` is set, in which case they are
    searched in the lower-cased text.
    """

    kind: str
    anchors: tuple[str, ...]
    regex: str
    prefix: int = 0
    lower: bool = False

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """``regex`` compiled on first use: most projects hold none of the anchors, and the
        start-up of a lint need not compile two dozen expressions it never runs."""
        return re.compile(self.regex)


def _d(
    kind: str, anchors: tuple[str, ...], regex: str, prefix: int, lower: bool = False
) -> Detector:
    return Detector(kind, anchors, regex, prefix, lower)


#: Provider keys of the LLM stack, by format. Order matters: the first detector that claims a
#: span wins, so specific formats come before generic ones.
DETECTORS: tuple[Detector, ...] = (
    _d(
        "OpenAI API key",
        ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-"),
        _B + r"(?P<secret>sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{40,400})" + _E,
        8,
    ),
    _d(
        "Anthropic API key",
        ("sk-ant-",),
        _B + r"(?P<secret>sk-ant-(?:api|admin|sid|oat)\d{2}-[A-Za-z0-9_\-]{40,300})" + _E,
        13,
    ),
    _d("OpenRouter API key", ("sk-or-v1-",), _B + r"(?P<secret>sk-or-v1-[0-9a-f]{64})" + _E, 9),
    _d("OpenAI API key", ("sk-",), _B + r"(?P<secret>sk-[A-Za-z0-9]{48})" + _E, 3),
    _d("sk- API key (DeepSeek-style)", ("sk-",), _B + r"(?P<secret>sk-[0-9a-f]{32})" + _E, 3),
    _d(
        "LangSmith API key",
        ("lsv2_pt_", "lsv2_sk_"),
        _B + r"(?P<secret>lsv2_(?:pt|sk)_[A-Za-z0-9]{24,64}(?:_[A-Za-z0-9]{6,16})?)" + _E,
        8,
    ),
    _d("LangSmith API key (legacy)", ("ls__",), _B + r"(?P<secret>ls__[0-9a-f]{32})" + _E, 4),
    _d("Google AI API key", ("AIza",), _B + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + _E, 4),
    _d("Groq API key", ("gsk_",), _B + r"(?P<secret>gsk_[A-Za-z0-9]{48,60})" + _E, 4),
    _d(
        "Tavily API key",
        ("tvly-",),
        _B + r"(?P<secret>tvly-(?:(?:dev|prod)-)?[A-Za-z0-9]{24,64})" + _E,
        5,
    ),
    _d("Hugging Face token", ("hf_",), _B + r"(?P<secret>hf_[A-Za-z0-9]{30,40})" + _E, 3),
    _d(
        "Hugging Face organization token",
        ("api_org_",),
        _B + r"(?P<secret>api_org_[A-Za-z0-9]{30,40})" + _E,
        8,
    ),
    _d("Pinecone API key", ("pcsk_",), _B + r"(?P<secret>pcsk_[A-Za-z0-9_]{40,120})" + _E, 5),
    _d("Replicate API token", ("r8_",), _B + r"(?P<secret>r8_[A-Za-z0-9]{37})" + _E, 3),
    _d("Perplexity API key", ("pplx-",), _B + r"(?P<secret>pplx-[A-Za-z0-9]{48})" + _E, 5),
    _d("xAI API key", ("xai-",), _B + r"(?P<secret>xai-[A-Za-z0-9]{70,90})" + _E, 4),
    _d("Fireworks API key", ("fw_",), _B + r"(?P<secret>fw_[A-Za-z0-9]{24,48})" + _E, 3),
    # Formats without a prefix: only next to the provider's name.
    _d(
        "Cohere API key",
        ("cohere", "co_api_key"),
        r"(?i:cohere|co)[\w.\-]{0,20}?(?i:key|token)[\"']?\s*[:=,]\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9]{40})" + _E,
        0,
        lower=True,
    ),
    _d(
        "Pinecone API key",
        ("pinecone",),
        r"(?i:pinecone)[\w.\-]{0,20}?(?i:key)[\"']?\s*[:=,]\s*[\"']?"
        r"(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})" + _E,
        0,
        lower=True,
    ),
    _d(
        "Azure OpenAI API key",
        ("azure",),
        r"(?i:azure)[\w.\-]{0,30}?(?i:key)[\"']?\s*[:=,]\s*[\"']?"
        r"(?P<secret>[0-9a-fA-F]{32})" + _E,
        0,
        lower=True,
    ),
    _d(
        "Mistral API key",
        ("mistral",),
        r"(?i:mistral)[\w.\-]{0,20}?(?i:key)[\"']?\s*[:=,]\s*[\"']?"
        r"(?P<secret>[A-Za-z0-9]{32})" + _E,
        0,
        lower=True,
    ),
)

#: ``scheme://user:password@host``: the password, for any scheme.
URL_CREDENTIALS = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]{1,24})://"
    r"(?P<user>[^\s:/?#@\"'`<>]{0,128}):(?P<secret>[^\s/?#@\"'`]{1,256})@"
    r"(?P<host>[^\s/?#\"'`:;,)]+)"
)
#: ``Authorization: Bearer <token>``.
BEARER = re.compile(
    r"(?i:bearer)\s+(?P<secret>[A-Za-z0-9._~+/\-]{20,1024}=*)(?![A-Za-z0-9._~+/=\-])"
)
#: What follows a secret's name in an assignment: ``= "value"``, ``": "value"``, ``=value``,
#: ``: value``, ``", "value"`` (``setenv("NAME", "value")``), with an optional type annotation
#: (``api_key: str = "..."``) between name and operator. Matched right after the name.
ASSIGNMENT_TAIL = re.compile(
    r"""
    (?P<nq>["'`]?)\]?
    (?:[ \t]*:[ \t]*[A-Za-z_][\w\[\],.| ]{0,60}?(?=[ \t]*=))?
    [ \t]*(?P<op>:=|=>|=|:|,)[ \t]*
    (?:
        (?P<q>["'`])(?P<quoted>[^"'`\r\n]{1,512})(?P=q)
      | (?P<bare>[^\s"'`,;\#)}\]]{1,512})
    )
    """,
    re.VERBOSE,
)
#: What follows ``--api-key`` on a command line: `` value``.
FLAG_TAIL = re.compile(r"[ \t]+(?P<q>[\"']?)(?P<bare>[^\s\"'`;|&]{1,512})")
