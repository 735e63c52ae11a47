// The ilert-contacts SDK as `pulumi package add` generates and links it (sdks/ilert-contacts).
import * as pulumi from "@pulumi/pulumi";
import * as ilert from "@pulumi-ilert-contacts/ilert-contacts";

const cfg = new pulumi.Config();

// Through the default provider: ilert-contacts:endpoint and ilert-contacts:apiToken (secret).
const email = new ilert.ContactEmail("jane-email", {
    userId: "1001",
    target: cfg.get("email") ?? "jane.doe@example.com",
});
const mobile = new ilert.ContactPhoneNumber("jane-mobile", {
    userId: "1001",
    regionCode: "DE",
    target: "0151 23456789", // national form; stored as +4915123456789
    primary: true,
});

// A second ilert account through an explicit provider.
const second = new ilert.Provider("second", {
    endpoint: cfg.require("secondEndpoint"),
    apiToken: cfg.requireSecret("secondToken"),
});
const ops = new ilert.ContactEmail("ops-email", { userId: "2001", target: "ops@example.com" }, { provider: second });

// Every phone number of user 1003, as one set (its emails unmanaged); destroy deletes it.
const team = new ilert.UserContacts("team", {
    userId: "1003",
    phoneNumbers: [{ target: "030 123456", regionCode: "DE", primary: true }],
    deleteOnDestroy: true,
});

// A user's existing contact, looked up.
const login = ilert.getContactEmailOutput({ userId: "1002", target: "user1002@example.com" });

export const emailId = email.id;
export const emailContactId = email.contactId;
export const emailTarget = email.target;
export const mobileContactId = mobile.contactId;
export const mobileTarget = mobile.target;
export const mobilePrimary = mobile.primary;
export const opsContactId = ops.contactId;
export const teamId = team.id;
export const loginContactId = login.contactId;
export const loginStatus = login.status;
export const pagerPin = pulumi.secret("pager-pin-7f3a91");
