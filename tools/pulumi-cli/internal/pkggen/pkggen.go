// Package pkggen is the code-generation side the Node.js and Go language hosts and
// pulumi-sdkgen share: binding a schema the way `pulumi package gen-sdk` does, writing the
// generated files, and loading the packages `pulumi package add` links through the engine's
// schema loader.
package pkggen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Bind validates spec against the metaschema and binds it, as `pulumi package gen-sdk` does.
// Each generator needs a binding of its own: they record their settings on the package.
func Bind(spec schema.PackageSpec, loader schema.Loader) (*schema.Package, error) {
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("the schema is not valid:\n%w", errors.Join(diags.Errs()...))
	}
	return pkg, nil
}

// WriteFiles writes files (slash-separated names relative to dir) under dir, in name order.
func WriteFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Generator makes a language's files from a bound package.
type Generator func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (
	map[string][]byte, error)

// GeneratePackage serves the GeneratePackage RPC: binds the request's schema with the engine's
// schema loader (packages it references come from there) and writes what gen makes into the
// request's directory.
func GeneratePackage(
	req *pulumirpc.GeneratePackageRequest, gen Generator,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, fmt.Errorf("connecting to the engine's schema loader: %w", err)
	}
	defer loader.Close()
	cached := schema.NewCachedLoader(loader)

	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("parsing the schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, cached, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
	}
	files, err := gen(pkg, req, cached)
	if err != nil {
		return nil, err
	}
	if err := WriteFiles(req.GetDirectory(), files); err != nil {
		return nil, err
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: plugin.HclDiagnosticsToRPCDiagnostics(diags)}, nil
}

// Linked is a package of a Link request: its definition (through the engine's schema loader, which
// `pulumi package add` has primed with the package it generated) and the SDK's directory.
type Linked struct {
	Package *schema.Package
	Dir     string // absolute
	Rel     string // as the request gives it: relative to the project's root directory
}

// LinkedPackages loads the packages of req, each with its languages imported (importers: e.g.
// {"nodejs": nodejs.Importer}).
func LinkedPackages(
	ctx context.Context, req *pulumirpc.LinkRequest, importers map[string]schema.Language,
) ([]Linked, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, fmt.Errorf("connecting to the engine's schema loader: %w", err)
	}
	defer loader.Close()
	cached := schema.NewCachedLoader(loader)

	root := req.GetInfo().GetRootDirectory()
	var linked []Linked
	for _, dep := range req.GetPackages() {
		p := dep.GetPackage()
		desc := &schema.PackageDescriptor{Name: p.GetName(), DownloadURL: p.GetServer()}
		if v, err := semver.ParseTolerant(p.GetVersion()); err == nil {
			desc.Version = &v
		}
		if param := p.GetParameterization(); param != nil {
			desc.Parameterization = &schema.ParameterizationDescriptor{Name: param.GetName(), Value: param.GetValue()}
			if v, err := semver.ParseTolerant(param.GetVersion()); err == nil {
				desc.Parameterization.Version = v
			}
		}
		ref, err := schema.LoadPackageReferenceV2(ctx, cached, desc)
		if err != nil {
			return nil, fmt.Errorf("loading the schema of %s: %w", p.GetName(), err)
		}
		pkg, err := ref.Definition()
		if err != nil {
			return nil, fmt.Errorf("loading the schema of %s: %w", p.GetName(), err)
		}
		if err := pkg.ImportLanguages(importers); err != nil {
			return nil, err
		}
		dir := dep.GetPath()
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		linked = append(linked, Linked{Package: pkg, Dir: dir, Rel: dep.GetPath()})
	}
	return linked, nil
}
