"""Test and bench harnesses that are not part of the shipped package.

``mutate`` damages known-good import files and checks the importer contract; ``campaign`` runs a
seeded fuzz campaign over every importer (tests/hardening, bench/bench_fuzz.py); ``paths`` finds
the shared reference data beside the repository. Imported as ``tests.support`` (``tests`` is a
namespace package: run pytest and ``python -m bench`` from the repository root).
"""
