"""``python -m agentcheck``: the ``agentcheck`` command."""

from __future__ import annotations

import sys

from agentcheck.cli import main

if __name__ == "__main__":
    sys.exit(main())
