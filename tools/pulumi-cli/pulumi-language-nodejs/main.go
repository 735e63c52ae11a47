// Command pulumi-language-nodejs is a small Node.js (TypeScript and JavaScript) language host for
// the Pulumi engine, written for this repository.
//
// Why it exists: the upstream host (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3)
// is a Go module of its own, which the Go module proxy reachable here refuses (403), like the
// Python one (see ../pulumi-language-python). What it needs comes from modules the proxy serves:
// the gRPC protocol and the npm/yarn/pnpm/bun handling (sdk/v3/nodejs/npm), the code generator
// (pkg/v3/codegen/nodejs); the program itself runs under the runner the npm package
// @pulumi/pulumi ships (cmd/run), which registers ts-node for TypeScript.
//
// What it implements: Run, GetPluginInfo, InstallDependencies (the project's package manager:
// npm, yarn, pnpm or bun, as runtime option packagemanager or its lock file says), About,
// GeneratePackage and Link (so `pulumi package add` generates a local SDK and adds it to
// package.json as a file: dependency), Handshake, GetRequiredPlugins/Packages (none reported:
// providers are found on demand), RuntimeOptionsPrompts. Everything else (GenerateProgram,
// GenerateProject, Pack, RunPlugin, GetProgramDependencies, Template, Cancel) answers
// Unimplemented: `pulumi new`, `pulumi convert`, `pulumi import --generate-code` for TypeScript,
// Node.js policy packs and Node.js provider plugins are not supported by this build.
//
// Runtime options honoured (Pulumi.yaml runtime.options): typescript (default true), tsconfig,
// nodeargs, packagemanager. Not honoured: the upstream's source-map and inspector set-up beyond
// what @pulumi/pulumi's runner does itself, and its detection of programs killed for memory.
package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/pkg/v3/codegen/cgstrings"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/fsutil"
	"github.com/pulumi/pulumi/sdk/v3/nodejs/npm"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"pulumi-ilert-contacts/tools/pulumi-cli/internal/langhost"
	"pulumi-ilert-contacts/tools/pulumi-cli/internal/pkggen"
)

const name = "pulumi-language-nodejs"

// The runner @pulumi/pulumi ships, resolved from the program's node_modules.
var runScript = filepath.Join("node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js")

func main() {
	flags := langhost.ParseFlags(nil, "root", "typescript", "tsconfig", "nodeargs", "packagemanager")
	host := &nodeHost{Base: langhost.NewBase(flags)}
	langhost.Serve(name, flags, host,
		"Run, GetPluginInfo, InstallDependencies, About, GeneratePackage, Link, Handshake, "+
			"GetRequiredPlugins/Packages, RuntimeOptionsPrompts")
}

type nodeHost struct {
	langhost.Base
}

type nodeOptions struct {
	typescript     bool
	tsconfig       string
	nodeargs       string
	packagemanager npm.PackageManagerType
}

func parseOptions(info *pulumirpc.ProgramInfo) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packagemanager: npm.AutoPackageManager}
	for key, value := range langhost.Options(info) {
		switch key {
		case "typescript":
			b, ok := value.(bool)
			if !ok {
				return opts, fmt.Errorf("runtime option typescript must be a boolean, not %v", value)
			}
			opts.typescript = b
		case "tsconfig", "nodeargs", "packagemanager":
			s, ok := value.(string)
			if !ok {
				return opts, fmt.Errorf("runtime option %s must be a string, not %v", key, value)
			}
			switch key {
			case "tsconfig":
				opts.tsconfig = s
			case "nodeargs":
				opts.nodeargs = s
			default:
				opts.packagemanager = npm.PackageManagerType(s)
			}
		}
	}
	return opts, nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	dir := langhost.ProgramDir(req.GetInfo(), req.GetPwd())
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on PATH: install Node.js (https://nodejs.org)"}, nil
	}
	run, err := fsutil.Searchup(dir, runScript)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"It looks like the Pulumi SDK has not been installed: no %s above %s. "+
				"Have you run npm install (or pulumi install)?", runScript, dir)}, nil
	}

	args := strings.Fields(opts.nodeargs)
	args = append(args, run)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.Engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("root-directory", req.GetInfo().GetRootDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", fmt.Sprint(req.GetParallel()))
	add("tracing", h.Tracing)
	args = append(args, langhost.ProgramPath(req.GetInfo(), req.GetProgram()))
	args = append(args, req.GetArgs()...)

	env, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	env = append(env, fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%v", opts.typescript))
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Env = langhost.WithEnv(cmd, env...)
	cmd.Dir = dir
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	return langhost.RunProgram(cmd), nil
}

func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return err
	}
	dir := langhost.ProgramDir(req.GetInfo(), req.GetDirectory())
	pm, err := npm.ResolvePackageManager(opts.packagemanager, dir)
	if err != nil {
		return err
	}
	stream := langhost.InstallStream(srv)
	fmt.Fprintf(stream.Stdout, "Installing dependencies with %s in %s...\n", pm.Name(), dir)
	if err := pm.Install(srv.Context(), dir, false, stream.Stdout, stream.Stderr); err != nil {
		return fmt.Errorf("%s install in %s failed: %w", pm.Name(), dir, err)
	}
	fmt.Fprintln(stream.Stdout, "Finished installing dependencies")
	return nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", node, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// GeneratePackage writes the TypeScript SDK (with pkg/v3's generator, as upstream). For `pulumi
// package add` the request is local: the package compiles itself in a postinstall script.
func (h *nodeHost) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return pkggen.GeneratePackage(req, func(
		pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader,
	) (map[string][]byte, error) {
		return nodejs.GeneratePackage(name, pkg, req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	})
}

// npmPackageName is the name the generator gave the package: the schema's, else @<namespace or
// pulumi>/<name>.
func npmPackageName(pkg *schema.Package) string {
	if info, ok := pkg.Language["nodejs"].(nodejs.NodePackageInfo); ok && info.PackageName != "" {
		return info.PackageName
	}
	if pkg.Namespace != "" {
		return "@" + pkg.Namespace + "/" + pkg.Name
	}
	return "@pulumi/" + pkg.Name
}

// Link adds each generated SDK to the program's package.json as a file: dependency (with the
// package manager, as upstream); InstallDependencies, which `pulumi package add` calls next,
// installs it.
func (h *nodeHost) Link(ctx context.Context, req *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	opts, err := parseOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	dir := langhost.ProgramDir(req.GetInfo(), "")
	pm, err := npm.ResolvePackageManager(opts.packagemanager, dir)
	if err != nil {
		return nil, err
	}
	linked, err := pkggen.LinkedPackages(ctx, req, map[string]schema.Language{"nodejs": nodejs.Importer})
	if err != nil {
		return nil, err
	}
	typescript := opts.typescript || opts.tsconfig != ""
	if _, err := fsutil.Searchup(dir, "tsconfig.json"); err == nil {
		typescript = true
	}
	var instructions strings.Builder
	if typescript {
		instructions.WriteString("You can import the SDK in your TypeScript code with:\n\n")
	} else {
		instructions.WriteString("You can import the SDK in your JavaScript code with:\n\n")
	}
	for _, l := range linked {
		rel, err := filepath.Rel(dir, l.Dir)
		if err != nil {
			return nil, err
		}
		packageName := npmPackageName(l.Package)
		if err := pm.Link(ctx, dir, packageName, filepath.ToSlash(rel)); err != nil {
			return nil, err
		}
		local := cgstrings.Camel(l.Package.Name)
		if typescript {
			fmt.Fprintf(&instructions, "  import * as %s from \"%s\";\n", local, packageName)
		} else {
			fmt.Fprintf(&instructions, "  const %s = require(\"%s\");\n", local, packageName)
		}
	}
	return &pulumirpc.LinkResponse{ImportInstructions: instructions.String()}, nil
}
