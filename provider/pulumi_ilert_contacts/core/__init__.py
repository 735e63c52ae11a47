"""The protocol-free core: the one table of properties (``kinds``), validation, configuration, the
ilert client with its retry layer and limiter, the errors, the contact directory, and the contact
lifecycle. Both faces (``dynamic/``, ``plugin/``) call into it; it imports neither of them.
"""
