"""Loading plugins into pluggy's plugin manager: entry points, built-in actions, blocking and checks."""
