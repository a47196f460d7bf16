"""Checking recipes against the API schemas OVH publishes (``/1.0/{api}.json``), before they run."""

from ovhflow.apicheck.catalog import Catalog
from ovhflow.apicheck.check import Finding, check_recipe
from ovhflow.apischema.document import Operation

__all__ = ["Catalog", "Finding", "Operation", "check_recipe"]
