"""kbgen benchmarks: ``python -m bench [--quick]`` writes docs/benchmarks.md.

Scaled synthetic data comes from :mod:`bench.generate`; each stage and its
baseline are measured in child processes by :mod:`bench.measure`.
"""
