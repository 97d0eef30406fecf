"""The duty system's pages, a module per area; ``public`` serves residents without a login."""
