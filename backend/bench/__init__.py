"""`make bench`: seed a large database and measure the task list and summary endpoints.

Run from backend/: `python -m bench [--rows 1000000] [--first 100000]`. See __main__.py for
the steps and docs/benchmarks.md for the latest figures.
"""
