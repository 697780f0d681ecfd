"""The processes a local deployment needs: servers, PostgreSQL, Redis, nginx, and cleanup."""

from __future__ import annotations
