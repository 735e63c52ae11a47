// The ilert-contacts SDK as `pulumi package add` generates and links it (sdks/ilert-contacts,
// a replace in go.mod).
package main

import (
	"github.com/pulumi-ilert-contacts/sdk/go/ilertcontacts"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		target := cfg.Get("email")
		if target == "" {
			target = "jane.doe@example.com"
		}

		// Through the default provider: ilert-contacts:endpoint and ilert-contacts:apiToken (secret).
		email, err := ilertcontacts.NewContactEmail(ctx, "jane-email", &ilertcontacts.ContactEmailArgs{
			UserId: pulumi.String("1001"),
			Target: pulumi.String(target),
		})
		if err != nil {
			return err
		}
		mobile, err := ilertcontacts.NewContactPhoneNumber(ctx, "jane-mobile", &ilertcontacts.ContactPhoneNumberArgs{
			UserId:     pulumi.String("1001"),
			RegionCode: pulumi.String("DE"),
			Target:     pulumi.String("0151 23456789"), // national form; stored as +4915123456789
			Primary:    pulumi.Bool(true),
		})
		if err != nil {
			return err
		}

		// A second ilert account through an explicit provider.
		second, err := ilertcontacts.NewProvider(ctx, "second", &ilertcontacts.ProviderArgs{
			Endpoint: pulumi.String(cfg.Require("secondEndpoint")),
			ApiToken: cfg.RequireSecret("secondToken"),
		})
		if err != nil {
			return err
		}
		ops, err := ilertcontacts.NewContactEmail(ctx, "ops-email", &ilertcontacts.ContactEmailArgs{
			UserId: pulumi.String("2001"),
			Target: pulumi.String("ops@example.com"),
		}, pulumi.Provider(second))
		if err != nil {
			return err
		}

		// Every phone number of user 1003, as one set (its emails unmanaged); destroy deletes it.
		team, err := ilertcontacts.NewUserContacts(ctx, "team", &ilertcontacts.UserContactsArgs{
			UserId: pulumi.String("1003"),
			PhoneNumbers: ilertcontacts.UserContactsPhoneNumberArray{
				ilertcontacts.UserContactsPhoneNumberArgs{
					Target:     pulumi.String("030 123456"),
					RegionCode: pulumi.String("DE"),
					Primary:    pulumi.Bool(true),
				},
			},
			DeleteOnDestroy: pulumi.Bool(true),
		})
		if err != nil {
			return err
		}

		// A user's existing contact, looked up.
		login, err := ilertcontacts.LookupContactEmail(ctx, &ilertcontacts.LookupContactEmailArgs{
			UserId: "1002",
			Target: "user1002@example.com",
		})
		if err != nil {
			return err
		}

		ctx.Export("emailId", email.ID())
		ctx.Export("emailContactId", email.ContactId)
		ctx.Export("emailTarget", email.Target)
		ctx.Export("mobileContactId", mobile.ContactId)
		ctx.Export("mobileTarget", mobile.Target)
		ctx.Export("mobilePrimary", mobile.Primary)
		ctx.Export("opsContactId", ops.ContactId)
		ctx.Export("teamId", team.ID())
		ctx.Export("loginContactId", pulumi.Int(login.ContactId))
		ctx.Export("loginStatus", pulumi.String(login.Status))
		ctx.Export("pagerPin", pulumi.ToSecret(pulumi.String("pager-pin-7f3a91")))
		return nil
	})
}
