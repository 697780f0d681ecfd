"""``python -m agentcheck.cli``: the ``agentcheck`` command, as ``python -m agentcheck``."""

from __future__ import annotations

import sys

from agentcheck.cli import main

sys.exit(main())
