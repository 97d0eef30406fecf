"""Pure code for notifications: message text, quiet hours, back-off, the robots' formats."""
