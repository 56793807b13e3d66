"""Santorini over the wire: the server's RemotePlayer and the client's ServerProxy, and the Game description."""
