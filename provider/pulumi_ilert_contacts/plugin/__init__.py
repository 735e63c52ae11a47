"""The native face: the ``ilert-contacts`` Pulumi resource provider plugin.

Served over gRPC by the console script ``pulumi-resource-ilert-contacts`` (``server.main``), with a
schema derived from ``core.kinds`` (``schema.py``) and handlers that translate names and types
around ``core.lifecycle`` (``provider.py``, ``properties.py``). It is what ``pulumi import``, Pulumi
YAML, explicit providers and the typed classes of ``pulumi_ilert_contacts.native`` use.
"""
