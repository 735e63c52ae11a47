"""``python -m pulumi_ilert_contacts.plugin <engine>``: the same server as the console script."""

from .server import main

main()
