"""Pure code of the registry: no Django, no database."""
