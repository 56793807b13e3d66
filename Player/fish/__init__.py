"""Fish's players that run inside our own processes: greedy, the misbehaving ones, a random one for tests."""
