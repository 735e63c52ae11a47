"""Generate code that brings a user's existing ilert contacts under Pulumi management.

``pulumi import`` does not work for dynamic resources, so adoption goes through code instead:
``pulumi-ilert-contacts generate --user 1001`` reads the user's contacts and writes a program
declaring each one with ``adopt=True`` (or, with ``--format pulumi-yaml``, a Pulumi YAML program on
the native provider, where each resource carries the ``import`` option). With ``--sets`` each user
is one ``UserContacts`` listing every contact ilert holds for the user. The pieces, in the order
data flows through them:

- ``inventory``: read each user's contacts through the client and normalise them as ``check()`` would;
- ``naming``: stable, unique resource names and Python variable names;
- ``stamp``: the "generated on" date, reproducible on demand (``--timestamp``, ``SOURCE_DATE_EPOCH``);
- ``document``: what one run renders, and the header and per-contact comments the formats share;
- ``python_source`` / ``pulumi_yaml`` / ``roster``: render the contacts as a Pulumi Python program, a
  Pulumi YAML program (importing each contact by id) or a team-roster file;
- ``output``: write the result all at once, or not at all;
- ``cli``: the ``generate`` subcommand tying them together.

Nothing here is imported by the provider; importing this package is cheap.
"""
