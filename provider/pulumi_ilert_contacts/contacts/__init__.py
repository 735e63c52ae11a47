"""Where the dynamic resources lived in 0.1.0, kept importable for states written then.

A dynamic resource's state holds its provider pickled by reference to the class's module
(``pulumi_ilert_contacts.contacts.email.ContactEmailProvider``); a state written by 0.1.0 must
still unpickle, so these names stay. New code imports ``pulumi_ilert_contacts`` (or ``.dynamic``).
"""
