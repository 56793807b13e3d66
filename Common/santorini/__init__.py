"""Santorini: its ontology (board, workers, actions, results, rules, wire converter, player interface)."""
