//go:build tools

// Package tools pins the Go modules that install.sh builds the Pulumi CLI from.
// It is never compiled; the blank imports only keep the requirements in go.mod.
//
// The upstream Python language host module,
// github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3, is not
// required: the Go module proxy we can reach answers 403 for it. The host is
// built from ./pulumi-language-python instead (see its main.go). ./sdkgen
// (pulumi-sdkgen) imports pkg/v3's codegen packages, which tidy keeps here too.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3"

	// What the Go SDKs that pulumi-sdkgen generates import: tools/sdk-check builds them with
	// this go.mod and go.sum, so these keep every module they need in go.sum.
	_ "github.com/blang/semver"
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)
