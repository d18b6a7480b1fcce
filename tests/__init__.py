"""The test suite, laid out like the package (tests/scenario, tests/world, ...).

A package, so that `from tests.conftest import ...` works under plain `pytest` and test
modules in different folders may share a base name.
"""
