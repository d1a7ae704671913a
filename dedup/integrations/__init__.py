"""Integrations with crawlers and engines: thin layers over the library."""
