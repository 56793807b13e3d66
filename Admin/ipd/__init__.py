"""The server side of the iterated prisoner's dilemma: the referee of one match, the revisions and the Results."""
