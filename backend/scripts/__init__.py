"""Developer scripts run by the Makefile (the browser suite, the fuzz run)."""
