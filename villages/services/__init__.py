"""The registry's writers: one function per user action, each in one transaction."""
