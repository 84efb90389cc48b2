"""Dashboard log-ins: a password per workspace owner and server-side browser sessions."""
