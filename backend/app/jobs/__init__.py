"""Background jobs on procrastinate, in the application's PostgreSQL (schema `procrastinate`)."""
