"""Settings modules: ``base`` (production, from the environment) and ``test``."""
