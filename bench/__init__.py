"""The benchmark: ``python bench/run.py`` (see README.md, "Benchmark").

It seeds a store with realistic entries (:mod:`bench.seed`), starts the production chain
(nginx → supervisord → gunicorn) on loopback, drives ``wrk`` through each scenario
(:mod:`bench.scenarios`, :mod:`bench.wrk`), and writes a table and a JSON report
(:mod:`bench.report`). Nothing here is imported by the app or by the test suite.
"""
