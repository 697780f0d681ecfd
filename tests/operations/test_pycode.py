"""What the operations rules read from Python source: env reads, DEBUG logging, CORS."""

from __future__ import annotations

import ast
import textwrap

import pytest

from agentcheck.deployment.appcode import cors_allow_all, debug_logging
from agentcheck.deployment.envreads import env_reads


def _tree(source: str) -> ast.Module:
    return ast.parse(textwrap.dedent(source))


def _reads(source: str) -> list[tuple[str, int, str]]:
    return [(r.name, r.line, r.kind) for r in env_reads(_tree(source))]


class TestEnvReads:
    def test_subscript_at_module_level_is_a_read_without_default(self) -> None:
        reads = env_reads(_tree('import os\nURL = os.environ["HELPDESK_URL"]\n'))
        assert [(r.name, r.line, r.kind, r.function) for r in reads] == [
            ("HELPDESK_URL", 2, "subscript", None)
        ]

    def test_subscript_inside_a_function_names_it(self) -> None:
        source = 'import os\n\ndef node(state):\n    return os.environ["TOKEN"]\n'
        assert [r.function for r in env_reads(_tree(source))] == ["node"]

    def test_from_os_import_environ_and_aliases(self) -> None:
        source = """
            import os as system
            from os import environ as env, getenv
            A = system.environ["A"]
            B = env["B"]
            C = int(getenv("C"))
        """
        assert _reads(source) == [("A", 4, "subscript"), ("B", 5, "subscript"), ("C", 6, "get")]

    @pytest.mark.parametrize(
        "source",
        [
            'import os\ntry:\n    X = os.environ["X"]\nexcept KeyError:\n    X = ""\n',
            'import os\ntry:\n    X = os.environ["X"]\nexcept (ValueError, LookupError):\n    X = ""\n',
            'import os\nif "X" in os.environ:\n    X = os.environ["X"]\n',
            'import os\nX = os.environ["X"] if "X" in os.environ else ""\n',
            'import os\nX = "X" in os.environ and os.environ["X"]\n',
            'import os\nos.environ["X"] = "1"\n',
            'import os\nif __name__ == "__main__":\n    print(os.environ["X"])\n',
            'import os\nif "X" not in os.environ:\n    raise SystemExit("set X")\nX = os.environ["X"]\n',
            'import os\ndef f():\n    if not os.getenv("X"):\n        return None\n'
            '    return os.environ["X"]\n',
            'import os\nurl = os.getenv("X")\nif url:\n    client = connect(os.environ["X"])\n',
            'import os\nkey = os.getenv("X")\nif not key:\n    raise RuntimeError("set X")\n'
            'client = Client(os.getenv("X").strip())\n',
        ],
        ids=[
            "except-keyerror",
            "except-lookuperror",
            "if-in",
            "ifexp",
            "and",
            "store",
            "main",
            "checked-then-raise",
            "checked-then-return",
            "if-alias",
            "alias-checked-then-raise",
        ],
    )
    def test_guarded_subscripts_are_not_reads(self, source: str) -> None:
        assert _reads(source) == []

    @pytest.mark.parametrize(
        "source",
        [
            'import os\nX = int(os.getenv("X"))\n',
            'import os\nX = os.getenv("X").split(",")\n',
            'import os\nX = os.environ.get("X") + "/v1"\n',
            'import os\nclient = Client(os.getenv("X"))\n',
            'import os\nX = os.getenv("X", None).lower()\n',
        ],
        ids=["int", "method", "concat", "positional-arg", "default-none"],
    )
    def test_getenv_whose_none_is_used_is_a_read(self, source: str) -> None:
        assert [name for name, _, kind in _reads(source)] == ["X"]

    @pytest.mark.parametrize(
        "source",
        [
            'import os\nX = os.getenv("X", "8")\n',
            'import os\nX = os.environ.get("X", default="8")\n',
            'import os\nX = os.getenv("X") or "8"\n',
            'import os\nclient = Client(base_url=os.getenv("X"))\n',
            'import os\nX = os.getenv("A", os.getenv("X"))\n',
            'import os\nX = os.getenv("X")\n',
            'import os\nif os.getenv("X"):\n    pass\n',
            'import os\nDEBUG = os.getenv("X") == "1"\n',
            'import os\nprint(os.getenv("X"))\n',
            'import os, logging\nlogging.info("x=%s", os.getenv("X"))\n',
            "import os\nX = os.getenv(name)\n",
        ],
        ids=[
            "default",
            "default-kw",
            "or",
            "keyword-arg",
            "default-of-another-read",
            "assigned",
            "if",
            "compare",
            "print",
            "log",
            "dynamic",
        ],
    )
    def test_getenv_with_a_default_or_a_guard_is_not_a_read(self, source: str) -> None:
        assert _reads(source) == []

    def test_an_unrelated_environ_is_not_os_environ(self) -> None:
        assert _reads('environ = {}\nX = environ["X"]\n') == []

    def test_pydantic_settings_fields_without_default(self) -> None:
        source = """
            from typing import ClassVar
            from pydantic import Field
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                url: str
                token: str = Field(validation_alias="HELPDESK_TOKEN")
                email: str = Field(...)
                turns: int = 8
                model: str = Field(default="gpt-4o-mini")
                names: list[str] = Field(default_factory=list)
                registry: ClassVar[dict[str, str]] = {}
                _cache: dict[str, str]
        """
        reads = env_reads(_tree(source))
        assert [(r.name, r.kind, r.detail, r.case_sensitive) for r in reads] == [
            ("APP_url", "settings", "Settings.url", False),
            ("HELPDESK_TOKEN", "settings", "Settings.token", False),
            ("APP_email", "settings", "Settings.email", False),
        ]

    def test_v1_settings_config_class(self) -> None:
        source = """
            import pydantic

            class Settings(pydantic.BaseSettings):
                region: str

                class Config:
                    env_prefix = "SUPPORT_"
                    case_sensitive = True
        """
        reads = env_reads(_tree(source))
        assert [(r.name, r.case_sensitive) for r in reads] == [("SUPPORT_region", True)]

    def test_a_plain_model_is_not_settings(self) -> None:
        source = "from pydantic import BaseModel\nclass Order(BaseModel):\n    id: str\n"
        assert _reads(source) == []


class TestDebugLogging:
    @pytest.mark.parametrize(
        "source",
        [
            "import logging\nlogging.basicConfig(level=logging.DEBUG)\n",
            'import logging\nlogging.basicConfig(level="DEBUG")\n',
            "import logging\nlogging.basicConfig(level=10)\n",
            "import logging as log\nlog.basicConfig(format='%(message)s', level=log.NOTSET)\n",
            "from logging import DEBUG, basicConfig\nbasicConfig(level=DEBUG)\n",
            "import logging\nlogging.getLogger().setLevel(logging.DEBUG)\n",
            "import logging\nlogging.root.setLevel('DEBUG')\n",
            "from logging import getLogger\ngetLogger(None).setLevel(10)\n",
        ],
    )
    def test_reported(self, source: str) -> None:
        assert len(debug_logging(_tree(source))) == 1

    @pytest.mark.parametrize(
        "source",
        [
            "import logging\nlogging.basicConfig(level=logging.INFO)\n",
            "import logging, os\nlogging.basicConfig(level=os.environ.get('LOG_LEVEL', 'INFO'))\n",
            "import logging\nlogging.getLogger(__name__).setLevel(logging.DEBUG)\n",
            "import logging\nlogging.getLogger('agent').setLevel(logging.DEBUG)\n",
            "import logging\nif __name__ == '__main__':\n    logging.basicConfig(level=logging.DEBUG)\n",
            "import structlog\nstructlog.basicConfig(level='DEBUG')\n",
        ],
    )
    def test_not_reported(self, source: str) -> None:
        assert debug_logging(_tree(source)) == []

    def test_position_is_the_level_argument(self) -> None:
        source = "import logging\nlogging.basicConfig(\n    format='%(message)s',\n    level=logging.DEBUG,\n)\n"
        [site] = debug_logging(_tree(source))
        assert (site.line, site.column) == (4, 11)


class TestCors:
    def test_add_middleware_with_wildcard_and_credentials(self) -> None:
        source = """
            from fastapi.middleware.cors import CORSMiddleware
            app.add_middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_credentials=True,
            )
        """
        [site] = cors_allow_all(_tree(source))
        assert site.line == 5

    def test_middleware_list_with_match_all_regex(self) -> None:
        source = """
            from starlette.middleware import Middleware
            from starlette.middleware import cors
            middleware = [Middleware(cors.CORSMiddleware, allow_origin_regex=".*", allow_credentials=True)]
        """
        assert len(cors_allow_all(_tree(source))) == 1

    @pytest.mark.parametrize(
        "source",
        [
            'app.add_middleware(CORSMiddleware, allow_origins=["*"])',
            'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False)',
            'app.add_middleware(CORSMiddleware, allow_origins=["https://a.example"], allow_credentials=True)',
            'app.add_middleware(GZipMiddleware, allow_origins=["*"], allow_credentials=True)',
        ],
    )
    def test_not_reported(self, source: str) -> None:
        assert cors_allow_all(_tree(source)) == []
