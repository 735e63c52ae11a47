"""Where the dynamic resources lived before the reshape (0.1.0 and earlier), kept importable for
states written then.

A dynamic resource's state holds its provider pickled by reference to the class's module
(``pulumi_ilert_contacts.contacts.email.ContactEmailProvider``); a state written before the
reshape must still unpickle, so these names stay (``tests/unit/test_pickled_layout.py`` pins
them). New code imports ``pulumi_ilert_contacts`` (or ``.dynamic``).
"""
