"""Scenario files: the schema, loading and checking, and typed parameter draws."""

from sim.scenario.load import load_scenario
from sim.scenario.scenario import Scenario

__all__ = ["Scenario", "load_scenario"]
