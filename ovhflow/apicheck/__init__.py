"""Checking recipes against the API schemas OVH publishes (``/1.0/{api}.json``), before they run."""

from ovhflow.apicheck.catalog import Catalog, Operation
from ovhflow.apicheck.check import Finding, check_recipe

__all__ = ["Catalog", "Finding", "Operation", "check_recipe"]
