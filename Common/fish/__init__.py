"""Fish: its ontology (hex board, penguins, state, rules, wire converter, player interface, replay)."""
