"""The iterated prisoner's dilemma's ontology: data, rules, scoring, the wire converter, the player interface."""
