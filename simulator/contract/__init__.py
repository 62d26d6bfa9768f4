"""Layer 1, contract: the facts of docs/contract.md as data — statuses and the lifecycle table,
event types and their stored layouts, the documented resource models, the API errors.

Pure data and validation: it imports nothing else of the package.
"""
