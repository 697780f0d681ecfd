"""The scanner on one text: every detector finds its key where it is, and nothing else."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from agentcheck.secrets import Hit, fingerprint, redact, scan_text, url_passwords
from tests.secrets.fakekeys import KEYS


def kinds(text: str, path: str = "agent/config.py") -> list[str]:
    return [h.kind for h in scan_text(text, path)]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("openai_project", "OpenAI API key"),
        ("openai_service", "OpenAI API key"),
        ("anthropic", "Anthropic API key"),
        ("langsmith_personal", "LangSmith API key"),
        ("langsmith_service", "LangSmith API key"),
        ("google_ai", "Google AI API key"),
        ("groq", "Groq API key"),
        ("tavily", "Tavily API key"),
        ("huggingface", "Hugging Face token"),
        ("pinecone", "Pinecone API key"),
        ("aws_access_key", "AWS access key"),
        ("github", "GitHub token"),
    ],
)
def test_each_provider_format_is_found_at_its_line_and_column(key: str, kind: str) -> None:
    value = KEYS[key]
    text = f"# settings\n\nclient = make(api={value!r}, timeout=30)\n"
    hits = scan_text(text, "agent/settings.py")
    column = text.splitlines()[2].index(value) + 1
    assert [(h.line, h.column, h.kind) for h in hits] == [(3, column, kind)]
    assert hits[0].by_format
    assert hits[0].fingerprint == fingerprint(value)
    assert hits[0].redacted == redact(value)


def test_a_provider_key_counts_in_any_kind_of_file_even_unquoted() -> None:
    value = KEYS["langsmith_personal"]
    for path in ("README.md", "deploy.sh", "values.yaml", "notes.txt", "tests/test_x.py"):
        assert kinds(f"LANGSMITH_API_KEY={value}\n", path) == ["LangSmith API key"], path


def test_cohere_and_other_prefixless_keys_need_their_provider_name() -> None:
    value = KEYS["cohere"]
    assert kinds(f'COHERE_API_KEY = "{value}"\n') == ["Cohere API key"]
    assert kinds(f'RANDOM_BLOB = "{value}"\n') == []


@pytest.mark.parametrize(
    "line",
    [
        'OPENAI_API_KEY = "sk-..."',
        'OPENAI_API_KEY = "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
        'OPENAI_API_KEY = "sk-proj-your-key-here-your-key-here-your-key-here-your-key"',
        'OPENAI_API_KEY = "<your-openai-key>"',
        'OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]',
        'LANGSMITH_API_KEY = "${LANGSMITH_API_KEY}"',
        'api_key = "sk-asdfghjklqwertyuiopzxcvbnmasdfghjklqwertyuiop12"',
        'SECRET_KEY = "changeme"',
        'password = "password"',
        'DATABASE_URL = "postgresql://postgres:postgres@localhost:5432/app"',
        'DATABASE_URL = "postgresql://{user}:{password}@{host}/app"',
        'DATABASE_URL = f"postgresql://agent:{password}@db/app"',
        "REDIS_URL = 'redis://:${REDIS_PASSWORD}@redis:6379/0'",
    ],
)
def test_placeholders_references_and_defaults_are_not_secrets(line: str) -> None:
    assert kinds(line + "\n") == []


@pytest.mark.parametrize(
    "line",
    [
        'RUN_ID = "9f86d081884c7d659a2feaa0c55ad015"',
        'THREAD_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"',
        'COMMIT = "3b18e512dba79e4c8300dd08aeb37f8e728b8dad"',
        'IMAGE = "registry.example.com/agent@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"',
        'CACHE_KEY = "d41d8cd98f00b204e9800998ecf8427e"',
        'IDEMPOTENCY_KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"',
        'API_KEY_ID = "9f86d081884c7d659a2feaa0c55ad015"',
        'SECRET_KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"',
        'integrity = "sha512-9J5rOmfRq0hd3kQkZfxGOtMCr6FXnY1tI8pyPaNrhe8s6/tuI2o2GMOjV9nqCQ=="',
        "MAX_TOKENS = 4096",
        'next_token = "CiAKGjBpNDd2Nmp2Zml2cXRwYjBpOXA0"',
        "for key in sorted(state.keys()):",
    ],
)
def test_ids_hashes_uuids_and_digests_are_not_secrets(line: str) -> None:
    assert kinds(line + "\n") == []


def test_a_random_value_counts_only_under_a_secret_name() -> None:
    value = KEYS["secret_key"]
    assert kinds(f'SECRET_KEY = "{value}"\n') == ["secret assigned to SECRET_KEY"]
    assert kinds(f'CHECKSUM = "{value}"\n') == []
    assert kinds(f'settings = {{"jwt_secret": "{KEYS["jwt_secret"]}"}}\n') == [
        "secret assigned to jwt_secret"
    ]


def test_in_code_an_unquoted_value_is_a_variable_in_config_it_is_a_literal() -> None:
    line = f"JWT_SECRET={KEYS['jwt_secret']}\n"
    assert kinds(line, "agent/settings.py") == []
    assert kinds(line, "deploy/prod.env") == ["secret assigned to JWT_SECRET"]
    assert kinds(f"jwt_secret: {KEYS['jwt_secret']}\n", "config.yaml") == [
        "secret assigned to jwt_secret"
    ]


def test_passwords_may_be_short_but_not_trivial_nor_made_of_words() -> None:
    assert kinds('DB_PASSWORD = "Zq8vR2mK"\n') == ["password assigned to DB_PASSWORD"]
    assert kinds('DB_PASSWORD = "hunter2x"\n') == []
    assert kinds('DB_PASSWORD = "postgres"\n') == []
    assert kinds('PASSWORD_FIELD = "current-password"\n') == []


def test_url_passwords_name_the_database() -> None:
    url = f"postgresql+psycopg://agent:{KEYS['db_password']}@db.internal:5432/agent"
    line = f'DATABASE_URL = "{url}"\n'
    hits = scan_text(line, "agent/db.py")
    column = line.index(KEYS["db_password"]) + 1
    assert [(h.kind, h.column) for h in hits] == [("password in a PostgreSQL URL", column)]
    found = url_passwords("redis://:postgres@redis:6379 and mongodb+srv://u:pw%40Zq8v@c")
    assert [(f.kind, f.trivial) for f in found] == [
        ("password in a Redis URL", True),
        ("password in a MongoDB URL", False),
    ]


def test_bearer_tokens_in_headers() -> None:
    token = KEYS["jwt_secret"]
    assert kinds(f'headers = {{"Authorization": "Bearer {token}"}}\n') == ["bearer token"]
    assert kinds('headers = {"Authorization": f"Bearer {token}"}\n') == []


def test_test_files_hold_fakes_unless_a_key_has_a_provider_format() -> None:
    text = (
        f'PASSWORD = "{KEYS["db_password"]}"\n'
        f'URL = "postgresql://u:{KEYS["db_password"]}@db/x"\n'
        f'TOKEN = "{_jwt()}"\n'
        f'OPENAI_API_KEY = "{KEYS["openai_project"]}"\n'
    )
    assert kinds(text, "tests/test_agent.py") == ["OpenAI API key"]
    assert kinds(text, "agent/conftest.py") == ["OpenAI API key"]
    assert len(kinds(text, "agent/config.py")) == 4


def _jwt() -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'u1'})}.c2lnbmF0dXJlc2lnbmF0dXJl"


def test_detect_secrets_plugins_find_well_known_formats() -> None:
    assert kinds(f'TOKEN = "{_jwt()}"\n') == ["JSON Web Token"]
    assert kinds('blob = "eyJhbGciOi.not-json.x"\n') == []
    body = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    key = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n"
    assert kinds(key, "deploy/id_ed25519") == ["private key"]
    assert kinds('slack = "xoxb-730118694217-8047296351047-q7Rk2Zp9Lw4Xn8Bv3Ct6Hd1M"\n') == [
        "Slack token"
    ]


def test_detect_secrets_plugins_load_without_importing_requests() -> None:
    """detect-secrets imports requests only to verify secrets over the network, which the
    scan never does: its plugins load without it, and find keys as before."""
    code = (
        "import sys\n"
        "from agentcheck.secrets import scan_text\n"
        "from agentcheck.secrets._plugins import PLUGINS, _plugin\n"
        "for spec in PLUGINS:\n"
        "    _plugin(spec.module, spec.cls)\n"
        f"hits = scan_text('TOKEN = \"{_jwt()}\"\\n', 'app.py')\n"
        "print([h.kind for h in hits], 'requests' in sys.modules, 'urllib3' in sys.modules)\n"
        "base = sys.modules['detect_secrets.plugins.base']\n"
        "print(base.requests.exceptions.RequestException.__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.splitlines() == [
        "['JSON Web Token'] False False",
        "RequestException",
    ]


def test_detect_secrets_global_settings_are_never_touched() -> None:
    from detect_secrets.settings import get_settings

    before = json.dumps(get_settings().json(), sort_keys=True)
    assert kinds(f'aws = "{KEYS["aws_access_key"]}"\n') == ["AWS access key"]
    assert json.dumps(get_settings().json(), sort_keys=True) == before


def test_one_value_is_reported_once_by_its_most_specific_detector() -> None:
    hits = scan_text(f'OPENAI_API_KEY = "{KEYS["openai_project"]}"\n', "a.py")
    assert [h.kind for h in hits] == ["OpenAI API key"]


def test_hits_never_hold_the_value() -> None:
    for value in KEYS.values():
        for hit in scan_text(f'SECRET_TOKEN = "{value}"\n', "a.py"):
            assert all(value not in str(field) for field in vars(hit).values())
            assert isinstance(hit, Hit)


def test_a_key_deep_inside_a_one_megabyte_line_is_found_at_its_column() -> None:
    filler = "var a=" + "x" * 500_000
    value = KEYS["openai_project"]
    text = f'{filler};const k="{value}";' + "y" * 500_000
    hits = scan_text(text, "static/app.min.js")
    assert [(h.line, h.column, h.kind) for h in hits] == [(1, len(filler) + 11, "OpenAI API key")]


def test_many_anchor_words_on_one_huge_line_stay_bounded() -> None:
    text = 'a={"key":1,"token":2,"secret":3};' * 30_000
    assert scan_text(text, "bundle.js") == []


def test_text_with_replacement_characters_is_scanned() -> None:
    raw = b"\xff\xfe broken \x80 bytes\nTAVILY_API_KEY=" + KEYS["tavily"].encode() + b"\n"
    text = raw.decode("utf-8", errors="replace")
    assert kinds(text, "notes.txt") == ["Tavily API key"]


@pytest.mark.parametrize(
    ("line", "path"),
    [
        # code in docs: calls, optional chaining, attribute access, types
        ("const token = sessionCookies.read('sid')?.value;", "docs/auth.md"),
        ('db_password = getattr(config, "db_password", None)', "docs/adr/0007-config.md"),
        ("  password = optional(string)", "infra/variables.tf"),
        ("async def login(req: Request, credentials: SignInCredentials):", "docs/api.mdx"),
        ("    token: str = Depends(oauth_scheme),", "docs/guide.md"),
        ("let serviceCredentials: ServiceCredentials; // (optional)", "clients/ts/docs/Api.md"),
        ('creds := *client.NewServiceCredentials("Scheme_example", "Token_example")', "x.md"),
        ('print(f"ENCRYPTION_KEY={Fernet.generate_key().decode()}")', "docs/setup.md"),
        ("api_secret = settings.vault.api_secret", "README.md"),
        # field descriptions
        ("- ADMIN_PASSWORD: Initial administrator password", "docs/config.md"),
        ("# - SEARCH_PASSWORD: Search cluster password (optional with a key)", "otel.yaml"),
        ("- `cache-password`: AUTH string of the managed cache", "docs/secrets.md"),
        # truncated examples
        ('-H "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9..."', "docs/api.md"),
        ('  "refresh_token": "rt_9f3a7c21bd...",', "docs/tokens.mdx"),
        # names of secrets held elsewhere
        ('    resourceNames: ["cache-password", "cache-tls-cert"]', "k8s/role.yaml"),
        ("  - secretKey: databaseUsername", "k8s/external-secret.yaml"),
        (
            '| auth | object | `{"password":"","passwordSecretKey":"db_password","username":"pg"}` |',
            "README.md",
        ),
        ('export const SLACK_ACCESS_TOKEN = "slackAccessToken";', "src/constants.ts"),
        ('kms_key = "projects/PROJECT_ID/locations/eu/keyRings/app/cryptoKeys/cache"', "main.tf"),
        # demo passwords made of words
        ('curl -d "username=carol&password=carol456"', "scripts/smoke.sh"),
        ('initialAdminPassword: "TrialAccount123!"', "examples/values.yaml"),
        ('--set secrets.cachePassword="test-cache-pass"', "scripts/install.sh"),
        # regular expressions and documentation URLs
        ("if [[ $url =~ ^redis://([^:]+):([^@]+)@([^:]+)$ ]]; then", "scripts/parse.sh"),
        ("AUDIT_DB_URL=postgresql://audit:audit@localhost:5432/audit", "scripts/export.py"),
        ("REPORTS_URL=postgresql://reporter:strong_secret_pw@db.example.com/reports", "docs/x.md"),
        ("REDIS_URL=redis://:pass%2Fword%2B1@cache:6379/1", "docs/redis.md"),
        # a private key block with no key in it
        ('APP_PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----', "docs/install.md"),
        ("- include the `-----BEGIN RSA PRIVATE KEY-----` line", "docs/faq.md"),
    ],
)
def test_code_descriptions_examples_and_names_are_not_secrets(line: str, path: str) -> None:
    assert kinds(line + "\n...\n-----END RSA PRIVATE KEY-----\n", path) == []


def test_in_prose_a_value_counts_by_its_own_shape() -> None:
    password = KEYS["db_password"]
    assert kinds(f"- Log in with the master password: `{password}`\n", "NOTES.md") == [
        "password assigned to password"
    ]
    key = KEYS["langsmith_personal"]
    assert kinds(f"docker run -e LANGSMITH_API_KEY={key} agent\n", "HELP.md") == [
        "LangSmith API key"
    ]
    assert kinds(f"SETUP_TOKEN={KEYS['jwt_secret']}\n", "docs/setup.md") == [
        "secret assigned to SETUP_TOKEN"
    ]


def test_a_private_key_counts_with_its_body() -> None:
    body = base64.b64encode(bytes(range(48))).decode()
    pem = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n"
    assert kinds(pem, "deploy/key.pem") == ["private key"]
    assert kinds(json.dumps({"key": pem}) + "\n", "deploy/creds.json") == ["private key"]


def test_setenv_counts_only_as_a_call() -> None:
    secret = KEYS["jwt_secret"]
    assert kinds(f'os.environ.setdefault("JWT_SECRET", "{secret}")\n') == [
        "secret assigned to JWT_SECRET"
    ]
    assert kinds(f'names = ["jwt_secret", "{secret}"]\n') == []


def test_context_plugins_skip_windows_without_the_shape_their_pattern_needs() -> None:
    # A real AWS secret access key shape next to the word is still found...
    secret = "Zq8Xv3Lw9Kp2Rt7Yb4Nc6Hd1Mf5Gj0Sa8Ue3Wi7Oq"[:40]
    assert kinds(f'aws_key = "{secret}"\n', "settings.yaml") == ["AWS secret access key"]
    # ... while a manifest that only names AWS does not import detect-secrets at all.
    code = (
        "import sys\n"
        "from agentcheck.secrets import scan_text\n"
        "text = 'region: ${AWS_REGION}\\nexporters: [awsxray, logging]\\n'\n"
        "text += 'discord: on\\ntelegram: off\\ntwilio: none\\nmailchimp: list\\n'\n"
        "assert scan_text(text, 'otel.yaml') == []\n"
        "print('detect_secrets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_each_shape_is_part_of_its_plugins_own_pattern() -> None:
    """The shapes restate part of detect-secrets' patterns: a newer detect-secrets that
    changes a pattern fails here instead of missing keys silently."""
    from agentcheck.secrets._plugins import PLUGINS, _plugin

    shaped = [spec for spec in PLUGINS if spec.shape is not None]
    assert {spec.cls for spec in shaped} >= {"AWSKeyDetector", "TwilioKeyDetector"}
    for spec in shaped:
        assert spec.shape is not None
        patterns = _plugin(spec.module, spec.cls).denylist
        assert any(
            spec.shape.pattern in p.pattern and spec.shape.flags == p.flags for p in patterns
        ), spec.cls
