//go:build tools

// Package tools pins the Go module that install.sh builds the Pulumi YAML
// language host from. It is never compiled; the blank import only keeps the
// requirement in go.mod.
//
// This is a module of its own, apart from ../pulumi-cli: pulumi-yaml v1.25.0
// compiles only against the pkg/v3 and sdk/v3 it requires (v3.206.0), not
// against the CLI's v3.259.0.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-converter-yaml"
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
