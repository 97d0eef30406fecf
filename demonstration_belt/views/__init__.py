"""The belt's pages, a module per area."""
