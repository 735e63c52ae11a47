// Command pulumi-language-python is a small Python language host for the Pulumi
// engine, written for this repository.
//
// Why it exists: the upstream language host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which the
// Go module proxy reachable from our machines refuses to serve ("403 Forbidden:
// This module version is not available." for every version and for @v/list),
// and the Pulumi download site is unreachable. Everything else it needs does
// come from modules the proxy serves: the gRPC protocol (sdk/v3/proto/go), the
// Python toolchain resolution (sdk/v3/python/toolchain), and the Python-side
// executor script, pulumi-language-python-exec, which install.sh copies next to
// this binary from the sdk/v3 module.
//
// What it implements: Handshake, GetPluginInfo, GetRequiredPlugins/Packages
// (reports none, so missing provider plugins are resolved on demand), Run
// (programs), RunPlugin (Python policy packs and Python provider plugins),
// InstallDependencies, About, GetProgramDependencies, RuntimeOptionsPrompts.
// Code generation (GenerateProgram/Project/Package, Pack, Link, Template) is
// left unimplemented; `pulumi new`/`convert`/`package gen-sdk` for Python are
// not supported by this build.
//
// Runtime options honoured (Pulumi.yaml `runtime.options`): virtualenv,
// toolchain (pip|poetry|uv; default: detected from lock files, else pip).
// Without a virtualenv the interpreter is $PULUMI_PYTHON_CMD, else python3, else
// python, looked up on PATH. The typechecker option is ignored.
//
// The gRPC server, the engine address, the child's environment and exit status and the
// output streams are shared with the Node.js and Go hosts: ../internal/langhost.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"

	"pulumi-ilert-contacts/tools/pulumi-cli/internal/langhost"
)

const name = "pulumi-language-python"

// The executor script shipped in the sdk/v3 module (python/cmd/).
const execName = "pulumi-language-python-exec"

func main() {
	var givenExecutor string
	// Older engines passed root, virtualenv, toolchain and typechecker as flags; accepted and ignored.
	flags := langhost.ParseFlags(func(fs *flag.FlagSet) {
		fs.StringVar(&givenExecutor, "use-executor", "", "Path of the pulumi-language-python-exec script to use")
	}, "root", "virtualenv", "toolchain", "typechecker")

	executor, err := findExecutor(givenExecutor)
	if err != nil {
		cmdutil.Exit(err)
	}
	host := &pythonHost{Base: langhost.NewBase(flags), executor: executor}
	langhost.Serve(name, flags, host,
		"Run, RunPlugin, GetPluginInfo, InstallDependencies, About, GetProgramDependencies, Handshake, "+
			"GetRequiredPlugins/Packages, RuntimeOptionsPrompts")
}

// findExecutor locates pulumi-language-python-exec: an explicit path, else next
// to this binary, else on PATH.
func findExecutor(given string) (string, error) {
	if given != "" {
		return given, nil
	}
	if self, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		candidate := filepath.Join(filepath.Dir(self), execName)
		if st, err := os.Stat(candidate); err == nil && !st.IsDir() {
			return candidate, nil
		}
	}
	path, err := exec.LookPath(execName)
	if err != nil {
		return "", fmt.Errorf("could not find %s next to the language host or on PATH: %w", execName, err)
	}
	return path, nil
}

type pythonHost struct {
	langhost.Base

	executor string
}

// resolveToolchain maps the project's runtime options onto the sdk's toolchain
// resolution (the same package the upstream host uses).
func resolveToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	opts := toolchain.PythonOptions{Toolchain: toolchain.Auto}
	if info != nil {
		opts.Root = info.GetRootDirectory()
		opts.ProgramDir = info.GetProgramDirectory()
		if o := info.GetOptions(); o != nil {
			m := o.AsMap()
			if v, ok := m["virtualenv"].(string); ok {
				opts.Virtualenv = v
			}
			if v, ok := m["toolchain"].(string); ok {
				switch strings.ToLower(v) {
				case "pip":
					opts.Toolchain = toolchain.Pip
				case "poetry":
					opts.Toolchain = toolchain.Poetry
				case "uv":
					opts.Toolchain = toolchain.Uv
				case "", "auto":
				default:
					return nil, fmt.Errorf("unsupported python toolchain %q (want pip, poetry or uv)", v)
				}
			}
		}
	}
	if opts.Root == "" {
		if wd, err := os.Getwd(); err == nil {
			opts.Root = wd
		}
	}
	if opts.ProgramDir == "" {
		opts.ProgramDir = opts.Root
	}
	return toolchain.ResolveToolchain(opts)
}

func (h *pythonHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := []string{"-u", h.executor}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.Engine())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", fmt.Sprintf("%v", req.GetDryRun()))
	add("parallel", fmt.Sprint(req.GetParallel()))
	add("tracing", h.Tracing)
	add("organization", req.GetOrganization())
	if info := req.GetInfo(); info != nil {
		add("root_directory", info.GetRootDirectory())
	}
	args = append(args, langhost.ProgramPath(req.GetInfo(), req.GetProgram()))
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env, err := langhost.ConfigEnv(req)
	if err != nil {
		return nil, err
	}
	cmd.Env = langhost.WithEnv(cmd, env...)
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	return langhost.RunProgram(cmd), nil
}

// RunPlugin runs a Python policy pack (PulumiPolicy.yaml) or provider plugin
// (PulumiPlugin.yaml): `python -u <program dir or entry point> <args>`.
func (h *pythonHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, srv pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := srv.Context()
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return err
	}
	args := append([]string{"-u", langhost.ProgramPath(req.GetInfo(), req.GetProgram())}, req.GetArgs()...)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	cmd.Env = langhost.WithEnv(cmd, req.GetEnv()...)
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}

	stream := langhost.NewStream(
		func(b []byte) error {
			return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
		},
		func(b []byte) error {
			return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
		},
	)
	cmd.Stdout, cmd.Stderr = stream.Stdout, stream.Stderr

	logging.V(5).Infof("language host launching plugin: %s %s", cmd.Path, strings.Join(cmd.Args[1:], " "))
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("running python plugin: %w", err)
		}
		code = int32(exitErr.ExitCode())
	}
	stream.Lock()
	defer stream.Unlock()
	return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	stream := langhost.InstallStream(srv)
	dir := req.GetDirectory()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	return tc.InstallDependencies(
		srv.Context(), dir, req.GetUseLanguageVersionTools(), true, stream.Stdout, stream.Stderr)
}

func (h *pythonHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
	}, nil
}

func (h *pythonHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return nil, err
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	for _, p := range pkgs {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}
