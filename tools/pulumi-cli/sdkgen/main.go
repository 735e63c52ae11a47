// Command pulumi-sdkgen generates the TypeScript and Go SDKs of a Pulumi package
// from its schema, with the code generators of github.com/pulumi/pulumi/pkg/v3
// (the version pinned in ../go.mod, the CLI's). It stands in for
// `pulumi package gen-sdk --language nodejs|go`, which hands the schema to the
// nodejs and go language hosts; those are not built here.
//
//	pulumi-sdkgen -schema schema.json -out DIR [-lang nodejs,go]
//
// Writes:
//
//	DIR/nodejs/     the npm package (package.json, tsconfig.json, *.ts)
//	DIR/go/         a Go module root: the generated package in the folder its import
//	                path ends with (it has no go.mod unless the schema opts into
//	                supportPack; the caller provides one, see tools/sdk-check/)
//	DIR/sdkgen.json what was generated: package name, npm package name, Go module
//	                path and import path
//
// The schema must be self-contained: it may not reference other packages' types
// (such references would need a plugin host to load those packages' schemas).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"pulumi-ilert-contacts/tools/pulumi-cli/internal/pkggen"
)

const tool = "pulumi-sdkgen"

// selfContained is the loader given to the binder and the generators: it loads no
// other package, so a schema that depends on one fails with a clear error instead of
// starting plugins.
type selfContained struct{}

func (selfContained) err(name string) error {
	return fmt.Errorf("%s: the schema references package %q; only self-contained schemas are supported", tool, name)
}

func (l selfContained) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.err(pkg)
}

func (l selfContained) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.err(d.Name)
}

func (l selfContained) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.err(pkg)
}

func (l selfContained) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.err(d.Name)
}

// bind validates and binds the spec (pkggen.Bind), loading no other package.
func bind(spec schema.PackageSpec) (*schema.Package, error) {
	return pkggen.Bind(spec, selfContained{})
}

type nodeManifest struct {
	Dir         string `json:"dir"`
	PackageName string `json:"packageName"`
}

type goManifest struct {
	Dir        string `json:"dir"`
	ModulePath string `json:"modulePath"`
	ImportPath string `json:"importPath"`
	// GoMod is true when the generator wrote a go.mod itself (schemas with supportPack).
	GoMod bool `json:"goMod"`
}

type manifest struct {
	Package string        `json:"package"`
	Version string        `json:"version,omitempty"`
	NodeJS  *nodeManifest `json:"nodejs,omitempty"`
	Go      *goManifest   `json:"go,omitempty"`
	Files   []string      `json:"files"`
}

func genNodeJS(spec schema.PackageSpec, out string, m *manifest) error {
	pkg, err := bind(spec)
	if err != nil {
		return err
	}
	files, err := nodejs.GeneratePackage(tool, pkg, nil, nil, false, selfContained{})
	if err != nil {
		return fmt.Errorf("generating the TypeScript SDK: %w", err)
	}
	if err := pkggen.WriteFiles(filepath.Join(out, "nodejs"), files); err != nil {
		return err
	}
	var pj struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(files["package.json"], &pj); err != nil {
		return fmt.Errorf("reading the generated package.json: %w", err)
	}
	m.NodeJS = &nodeManifest{Dir: "nodejs", PackageName: pj.Name}
	for name := range files {
		m.Files = append(m.Files, "nodejs/"+name)
	}
	return nil
}

func genGo(spec schema.PackageSpec, out string, m *manifest) error {
	pkg, err := bind(spec)
	if err != nil {
		return err
	}
	files, err := gogen.GeneratePackage(tool, pkg, nil)
	if err != nil {
		return fmt.Errorf("generating the Go SDK: %w", err)
	}
	// The import path the generated code uses for itself, and the folder the generator put it in,
	// the same way gogen derives them (packageRoot, ExtractImportBasePath).
	var info gogen.GoPackageInfo
	if gi, ok := pkg.Language["go"].(gogen.GoPackageInfo); ok {
		info = gi
	}
	importPath := info.ImportBasePath
	if importPath == "" {
		importPath = gogen.ExtractImportBasePath(pkg.Reference())
	}
	root := strings.ReplaceAll(pkg.Name, "-", "")
	switch {
	case !pkg.SupportPack && info.RootPackageName != "":
		root = "" // a flat package
	case info.ImportBasePath != "":
		root = path.Base(info.ImportBasePath)
	}
	modulePath := importPath
	if root != "" {
		modulePath = path.Dir(importPath)
		// Without an importBasePath the generator names the folder after the package name less
		// its dashes while the code imports it by the name with them: put it where Go looks.
		if want := path.Base(importPath); want != root {
			moved := make(map[string][]byte, len(files))
			for name, data := range files {
				if rest, ok := strings.CutPrefix(name, root+"/"); ok {
					name = want + "/" + rest
				}
				moved[name] = data
			}
			files = moved
		}
	}
	_, goMod := files["go.mod"]
	if err := pkggen.WriteFiles(filepath.Join(out, "go"), files); err != nil {
		return err
	}
	m.Go = &goManifest{Dir: "go", ModulePath: modulePath, ImportPath: importPath, GoMod: goMod}
	for name := range files {
		m.Files = append(m.Files, "go/"+name)
	}
	return nil
}

func run() error {
	// A flag set of our own: the default one also carries the flags of glog, which a dependency imports.
	flags := flag.NewFlagSet(tool, flag.ContinueOnError)
	flags.Usage = func() {
		fmt.Fprintf(flags.Output(), "usage: %s -schema FILE -out DIR [-lang nodejs,go]\n", tool)
		flags.PrintDefaults()
	}
	schemaPath := flags.String("schema", "", "the package schema, a JSON `FILE` as pulumi package get-schema prints it (- for stdin)")
	out := flags.String("out", "", "the output `DIR` (its nodejs/ and go/ are replaced)")
	langs := flags.String("lang", "nodejs,go", "comma-separated languages to generate: nodejs, go")
	if err := flags.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *schemaPath == "" || *out == "" || flags.NArg() != 0 {
		flags.Usage()
		return errors.New("-schema and -out are required")
	}

	var data []byte
	var err error
	if *schemaPath == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(*schemaPath)
	}
	if err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("parsing the schema %s: %w", *schemaPath, err)
	}

	m := &manifest{Package: spec.Name, Version: spec.Version}
	for _, lang := range strings.Split(*langs, ",") {
		lang = strings.TrimSpace(lang)
		dir := filepath.Join(*out, lang)
		switch lang {
		case "nodejs", "go":
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown language %q (want nodejs or go)", lang)
		}
		if lang == "nodejs" {
			err = genNodeJS(spec, *out, m)
		} else {
			err = genGo(spec, *out, m)
		}
		if err != nil {
			return err
		}
	}
	sort.Strings(m.Files)
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "sdkgen.json"), append(js, '\n'), 0o644)
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
