"""Fish over the wire: the server's proxy for a remote player, the client's proxy for the server, the Game."""
