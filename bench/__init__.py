"""The benchmark harness (`make bench`): run.py runs the sections, one module each."""
