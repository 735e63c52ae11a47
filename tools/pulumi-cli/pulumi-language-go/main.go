// Command pulumi-language-go is a small Go language host for the Pulumi engine, written for this
// repository.
//
// Why it exists: the upstream host (github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3) is a Go
// module of its own, which the Go module proxy reachable here refuses (403), like the Python one
// (see ../pulumi-language-python). What it needs comes from modules the proxy serves: the gRPC
// protocol (sdk/v3), the code generator (pkg/v3/codegen/go) and go.mod editing (golang.org/x/mod).
//
// What it implements: Run (`go build` in the program's directory, then the binary started with
// the PULUMI_* variables the Go SDK reads; or the prebuilt binary of runtime option binary),
// GetPluginInfo, InstallDependencies (`go mod tidy`), About, GeneratePackage and Link (so `pulumi
// package add` generates a local SDK module and adds a require and a replace to go.mod),
// Handshake, GetRequiredPlugins/Packages (none reported: providers are found on demand),
// RuntimeOptionsPrompts. Everything else (GenerateProgram, GenerateProject, Pack, RunPlugin,
// GetProgramDependencies, Template, Cancel) answers Unimplemented: `pulumi new`, `pulumi convert`,
// `pulumi import --generate-code` for Go, Go policy packs and Go provider plugins are not
// supported by this build, and neither is the upstream's debugging (`pulumi up --attach-debugger`).
//
// Runtime options honoured (Pulumi.yaml runtime.options): binary, buildTarget. `go build` runs
// with the environment the CLI was started with (GOFLAGS, GOPROXY, CGO_ENABLED, ...).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/mod/modfile"

	"pulumi-ilert-contacts/tools/pulumi-cli/internal/langhost"
	"pulumi-ilert-contacts/tools/pulumi-cli/internal/pkggen"
)

const name = "pulumi-language-go"

func main() {
	flags := langhost.ParseFlags(nil, "root", "binary", "buildTarget")
	host := &goHost{Base: langhost.NewBase(flags)}
	langhost.Serve(name, flags, host,
		"Run, GetPluginInfo, InstallDependencies, About, GeneratePackage, Link, Handshake, "+
			"GetRequiredPlugins/Packages, RuntimeOptionsPrompts")
}

type goHost struct {
	langhost.Base
}

type goOptions struct {
	binary      string // a prebuilt program to run instead of building one
	buildTarget string // where `go build` puts the program (default: a temporary file)
}

func parseOptions(info *pulumirpc.ProgramInfo) (goOptions, error) {
	var opts goOptions
	for key, value := range langhost.Options(info) {
		if key != "binary" && key != "buildTarget" {
			continue
		}
		s, ok := value.(string)
		if !ok {
			return opts, fmt.Errorf("runtime option %s must be a string, not %v", key, value)
		}
		if key == "binary" {
			opts.binary = s
		} else {
			opts.buildTarget = s
		}
	}
	if opts.binary != "" && opts.buildTarget != "" {
		return opts, errors.New("runtime options binary and buildTarget cannot both be set")
	}
	return opts, nil
}

func goBinary() (string, error) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("could not find go on PATH: install Go (https://go.dev/dl/)")
	}
	return gobin, nil
}

// build runs `go build -o out` in dir, its output to the host's (the engine shows it).
func build(ctx context.Context, dir, out string) error {
	if matches, _ := filepath.Glob(filepath.Join(dir, "*.go")); len(matches) == 0 {
		return fmt.Errorf("no *.go files in %s to go build", dir)
	}
	gobin, err := goBinary()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", out)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build in %s failed: %w", dir, err)
	}
	return nil
}

func (h *goHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	dir := langhost.ProgramDir(req.GetInfo(), req.GetPwd())
	program := opts.binary
	switch {
	case program != "":
		if !filepath.IsAbs(program) {
			program = filepath.Join(dir, program)
		}
	case opts.buildTarget != "":
		program = opts.buildTarget
		if !filepath.IsAbs(program) {
			program = filepath.Join(dir, program)
		}
		if err := build(ctx, dir, program); err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
	default:
		tmp, err := os.MkdirTemp("", "pulumi-go-program-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		program = filepath.Join(tmp, "program")
		if err := build(ctx, dir, program); err != nil {
			return &pulumirpc.RunResponse{Error: err.Error()}, nil
		}
	}

	env, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	set := func(k, v string) {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	// The variables the Go SDK reads (sdk/v3/go/pulumi/run.go).
	set("PULUMI_MONITOR", req.GetMonitorAddress())
	set("PULUMI_ENGINE", h.Engine())
	set("PULUMI_PROJECT", req.GetProject())
	set("PULUMI_STACK", req.GetStack())
	set("PULUMI_ORGANIZATION", req.GetOrganization())
	set("PULUMI_ROOT_DIRECTORY", req.GetInfo().GetRootDirectory())
	set("PULUMI_DRY_RUN", fmt.Sprint(req.GetDryRun()))
	set("PULUMI_PARALLEL", fmt.Sprint(req.GetParallel()))
	set("PULUMI_TRACING", h.Tracing)

	cmd := exec.CommandContext(ctx, program, req.GetArgs()...)
	cmd.Env = langhost.WithEnv(cmd, env...)
	cmd.Dir = dir
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	return langhost.RunProgram(cmd), nil
}

func (h *goHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := langhost.ProgramDir(req.GetInfo(), req.GetDirectory())
	gobin, err := goBinary()
	if err != nil {
		return err
	}
	stream := langhost.InstallStream(srv)
	fmt.Fprintf(stream.Stdout, "Installing dependencies with go mod tidy in %s...\n", dir)
	if err := langhost.RunStreamed(exec.CommandContext(srv.Context(), gobin, "mod", "tidy"), dir, stream); err != nil {
		return err
	}
	fmt.Fprintln(stream.Stdout, "Finished installing dependencies")
	return nil
}

func (h *goHost) About(ctx context.Context, _ *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	gobin, err := goBinary()
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, gobin, "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("%s env GOVERSION: %w", gobin, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: gobin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "go"),
	}, nil
}

// GeneratePackage writes the Go SDK (with pkg/v3's generator, as upstream). For `pulumi package
// add` the package supports packing, and the generator writes the SDK's own go.mod.
func (h *goHost) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	if len(req.GetExtraFiles()) > 0 {
		return nil, errors.New("overlays (extra files) are not supported for Go")
	}
	return pkggen.GeneratePackage(req, func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return gogen.GeneratePackage(name, pkg, req.GetLocalDependencies())
	})
}

// goPaths are the module path of a generated SDK and the import path of its root package: the
// module is what the SDK's go.mod says (the generator wrote it), else derived as the generator
// derives it; the import path is the schema's importBasePath, else derived likewise.
func goPaths(l pkggen.Linked) (module, importPath string, err error) {
	var info gogen.GoPackageInfo
	if gi, ok := l.Package.Language["go"].(gogen.GoPackageInfo); ok {
		info = gi
	}
	importPath = info.ImportBasePath
	if importPath == "" {
		importPath = gogen.ExtractImportBasePath(l.Package.Reference())
	}
	data, err := os.ReadFile(filepath.Join(l.Dir, "go.mod"))
	switch {
	case err == nil:
		module = modfile.ModulePath(data)
		if module == "" {
			return "", "", fmt.Errorf("%s has no module statement", filepath.Join(l.Dir, "go.mod"))
		}
	case errors.Is(err, os.ErrNotExist):
		module = info.ModulePath
		if module == "" && info.ImportBasePath != "" {
			module = path.Dir(info.ImportBasePath)
		}
		if module == "" {
			module = gogen.ExtractModulePath(l.Package.Reference())
		}
	default:
		return "", "", err
	}
	return module, importPath, nil
}

// Link adds, for each generated SDK, a requirement and a replace by its directory to the
// program's go.mod; InstallDependencies (`go mod tidy`), which `pulumi package add` calls next,
// completes go.sum. The requirement stays only if the program imports the SDK by then.
func (h *goHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	dir := langhost.ProgramDir(req.GetInfo(), "")
	gomodPath := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomodPath)
	if err != nil {
		return nil, fmt.Errorf("reading the program's go.mod: %w", err)
	}
	gomod, err := modfile.Parse(gomodPath, data, nil)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", gomodPath, err)
	}
	linked, err := pkggen.LinkedPackages(ctx, req, map[string]schema.Language{"go": gogen.Importer})
	if err != nil {
		return nil, err
	}
	var imports strings.Builder
	for _, l := range linked {
		module, importPath, err := goPaths(l)
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(dir, l.Dir)
		if err != nil {
			return nil, err
		}
		target := filepath.ToSlash(rel)
		if !strings.HasPrefix(target, "../") {
			target = "./" + target
		}
		if err := gomod.AddRequire(module, "v0.0.0"); err != nil {
			return nil, fmt.Errorf("adding the requirement of %s to go.mod: %w", module, err)
		}
		if err := gomod.AddReplace(module, "", target, ""); err != nil {
			return nil, fmt.Errorf("adding the replace of %s to go.mod: %w", module, err)
		}
		fmt.Fprintf(&imports, "    %q\n", importPath)
	}
	gomod.Cleanup()
	out, err := gomod.Format()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(gomodPath, out, 0o644); err != nil {
		return nil, err
	}
	return &pulumirpc.LinkResponse{
		ImportInstructions: "You can import the SDK in your Go code with:\n\n  import (\n" + imports.String() + "  )\n",
	}, nil
}
