"""OVH's API schema documents as one model, shared by the schema checks (:mod:`ovhflow.apicheck`) and the
sandbox (:mod:`ovhflow.sandbox`): operations and their parameters (:mod:`.document`), the type names
documents use (:mod:`.types`). It depends on neither of them, nor on the engine.
"""
