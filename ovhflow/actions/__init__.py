"""Built-in actions, registered as plugins exactly like third-party ones (see ``DEFAULT_PLUGINS``)."""
