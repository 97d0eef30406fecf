"""Pure code of the belt: how a village is scored against its agreement. No Django."""
