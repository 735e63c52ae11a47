"""The dynamic face: ``ContactEmail`` and ``ContactPhoneNumber`` as Pulumi dynamic resources.

No plugin to install: the providers run in the SDK's dynamic-provider process and are pickled into
the state by reference to these modules. This is the package's default Python API.
"""
