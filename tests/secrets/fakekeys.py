"""The credentials planted in the AC2xx fixture projects: fake, format-valid, deterministic.

Every value here has a provider's exact shape with a body drawn from a seeded random generator
(:data:`SEED`): no provider ever issued it, and it authenticates nowhere. The bodies are random
rather than ``FAKE``/``EXAMPLE`` on purpose: a placeholder filter must skip those words, and a
detector that finds only what it was tuned on proves nothing. The fixture files hold these
literal values (run this module to print them); tests grep every output format for each of
them to prove none is ever printed in full.
"""

from __future__ import annotations

import random
import string

SEED = 20240602
_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "_-"
_HEX = "0123456789abcdef"


def _make() -> dict[str, str]:
    rng = random.Random(SEED)

    def body(n: int, alphabet: str = _ALNUM) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return {
        "openai_project": "sk-proj-" + body(156, _URLSAFE),
        "openai_service": "sk-svcacct-" + body(150, _URLSAFE),
        "anthropic": "sk-ant-api03-" + body(93, _URLSAFE) + "AA",
        "langsmith_personal": f"lsv2_pt_{body(32, _HEX)}_{body(10, _HEX)}",
        "langsmith_service": f"lsv2_sk_{body(32, _HEX)}_{body(10, _HEX)}",
        "google_ai": "AIza" + body(35, _URLSAFE),
        "groq": "gsk_" + body(52),
        "tavily": "tvly-" + body(32),
        "huggingface": "hf_" + body(34, string.ascii_letters),
        "pinecone": f"pcsk_{body(5)}_{body(64)}",
        "cohere": body(40),
        "aws_access_key": "AKIA" + body(16, string.ascii_uppercase + string.digits),
        "github": "ghp_" + body(36),
        "db_password": body(24),
        "secret_key": body(64, _HEX),
        "langsmith_compose": f"lsv2_pt_{body(32, _HEX)}_{body(10, _HEX)}",
        "openai_k8s": "sk-proj-" + body(156, _URLSAFE),
        "anthropic_k8s": "sk-ant-api03-" + body(93, _URLSAFE) + "AA",
        "k8s_password": body(20),
        "openai_docker": "sk-proj-" + body(156, _URLSAFE),
        "langsmith_docker": f"lsv2_sk_{body(32, _HEX)}_{body(10, _HEX)}",
        "openai_langgraph": "sk-proj-" + body(156, _URLSAFE),
        "tavily_langgraph": "tvly-" + body(32),
        "openai_deploy": "sk-proj-" + body(156, _URLSAFE),
        "anthropic_deploy": "sk-ant-api03-" + body(93, _URLSAFE) + "AA",
        "openai_env": "sk-proj-" + body(156, _URLSAFE),
        "jwt_secret": body(48),
        "redis_password": body(28),
    }


KEYS: dict[str, str] = _make()

if __name__ == "__main__":
    for name, value in KEYS.items():
        print(f"{name}={value}")
