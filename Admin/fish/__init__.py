"""Fish's referee of one game of two to four players, and its tournament rules."""
