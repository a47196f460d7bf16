"""Saved plans: what a check run would write, reviewed by a person, then applied exactly.

``ovhflow run --check --plan-out plan.json`` writes a :mod:`document <ovhflow.plan.document>`;
``ovhflow plan show`` prints it (:mod:`ovhflow.plan.show`); ``ovhflow run --plan plan.json`` lets through
only the writes the plan has (:mod:`ovhflow.plan.gate`). :mod:`ovhflow.plan.diff` compares a PUT's body
with what the API holds, for ``--diff`` and for the plan's reviewers.
"""
