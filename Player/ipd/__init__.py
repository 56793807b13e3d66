"""The IPD's players that run inside our own processes: the plug-in contract, the built-in and misbehaving strategies."""
