"""The ilert contacts policy pack: assembles the policies of ``pulumi_ilert_contacts.policies``.

Run by the engine (``pulumi preview --policy-pack policy``). Constructing ``PolicyPack`` starts
the analyzer's gRPC server, prints its port and blocks, so nothing else belongs here: the
validators live in the package, where tests and other packs can import them.
"""

from pulumi_ilert_contacts.policies import PACK_NAME, all_policies
from pulumi_policy import PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=all_policies(),
    description="Guards for ilert user contacts (emails, phone numbers) managed with pulumi-ilert-contacts.",
)
