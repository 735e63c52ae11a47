# ilert contacts for Pulumi to adopt, written by pulumi-ilert-contacts.
#
# Source:    http://127.0.0.1:PORT (users 1002, 1001, 1003)
# Generated: 2023-11-14T22:13:20Z
# Command:   pulumi-ilert-contacts generate --user 1002 --user 1001 \
#              --user 1003 --sets
#
# Every user is one UserContacts set listing every contact ilert holds for the
# user, the login email included: on the first `pulumi up` each set adopts the
# listed contacts and writes nothing to ilert, as the lists are what ilert
# holds. From then on the set owns the user's contacts: a contact taken out of
# a list is deleted from ilert, one added in ilert by hand shows in `pulumi
# refresh` and is deleted by `pulumi up --refresh`. Destroying a set, or
# removing it from the program, leaves its contacts in ilert (unless
# delete_on_destroy=True). Review the lists before running it.

from pulumi_ilert_contacts import UserContacts

# --- user 1002: 2 email contacts, 1 phone number contact ---

u1002_contacts = UserContacts(
    "u1002-contacts",
    user_id="1002",
    emails=[
        # ilert email contact 2
        "user1002@example.com",
        # ilert email contact 8
        "Oncall@example.com",
    ],
    phone_numbers=[
        # ilert phone number contact 9
        {"target": "+33612345678", "region_code": "FR", "primary": False},
    ],
)


# --- user 1001: 3 email contacts, 2 phone number contacts ---

u1001_contacts = UserContacts(
    "u1001-contacts",
    user_id="1001",
    emails=[
        # ilert email contact 1
        "user1001@example.com",
        # ilert email contact 4
        "jane.doe@example.com",
        # ilert email contact 5, status LOCKED: ilert does not notify it until it is
        # unlocked in ilert.
        "jane-doe@example.com",
    ],
    phone_numbers=[
        # ilert phone number contact 6
        {"target": "+4915123456789", "region_code": "DE", "primary": True},
        # ilert phone number contact 7, status BLACKLISTED: ilert does not notify it
        # (blocked by the carrier or after bounces).
        {"target": "+12025550123", "region_code": "US", "primary": False},
    ],
)


# --- user 1003: 2 email contacts, 0 phone number contacts ---

u1003_contacts = UserContacts(
    "u1003-contacts",
    user_id="1003",
    emails=[
        # ilert email contact 3
        "user1003@example.com",
        # ilert email contact 10
        # WARNING: the value in ilert fails validation, so `pulumi preview` will reject
        #   it until it is fixed: ContactEmail.target 'pager@localhost' is not a valid
        #   email address: The part after the @-sign is not valid. It should have a
        #   period.
        "pager@localhost",
    ],
    phone_numbers=[],
)
