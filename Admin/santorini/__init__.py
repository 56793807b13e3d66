"""Santorini's referee (one best-of-N series) and its standings table."""
