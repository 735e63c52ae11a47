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
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The executor script shipped in the sdk/v3 module (python/cmd/).
const execName = "pulumi-language-python-exec"

// Exit code the executor uses after it has already shown the user an error.
const exitCodeUserActionable = 32

func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	var givenExecutor string
	flag.StringVar(&givenExecutor, "use-executor", "", "Path of the pulumi-language-python-exec script to use")
	// Older engines passed these as flags; accept and ignore them.
	flag.String("root", "", "Project root path (ignored)")
	flag.String("virtualenv", "", "Virtual environment path (ignored: taken from the program info)")
	flag.String("toolchain", "", "Toolchain (ignored: taken from the program info)")
	flag.String("typechecker", "", "Type checker (ignored)")
	flag.Parse()

	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-python", "pulumi-language-python", tracing)

	executor, err := findExecutor(givenExecutor)
	if err != nil {
		cmdutil.Exit(err)
	}

	host := &pythonHost{executor: executor, tracing: tracing}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}

	// The engine reads the port from our first line of output.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
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
	pulumirpc.UnimplementedLanguageRuntimeServer

	executor      string
	tracing       string
	mu            sync.Mutex
	engineAddress string
}

func (h *pythonHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *pythonHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *pythonHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// The engine pre-installs what these return; reporting nothing means provider
// plugins are loaded (from PATH / ~/.pulumi/plugins) when a resource needs them.
func (h *pythonHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *pythonHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *pythonHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
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

// programPath is the file or directory handed to the executor / interpreter.
func programPath(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		entry := info.GetEntryPoint()
		if entry == "" {
			entry = "."
		}
		if filepath.IsAbs(entry) {
			return entry
		}
		return filepath.Join(info.GetProgramDirectory(), entry)
	}
	if fallback == "" {
		return "."
	}
	return fallback
}

// withEnv returns cmd's environment (inherited if unset) with extra appended;
// os/exec keeps the last value of a duplicated key.
func withEnv(cmd *exec.Cmd, extra ...string) []string {
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	return append(append([]string{}, env...), extra...)
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
	add("engine", h.engine())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", fmt.Sprintf("%v", req.GetDryRun()))
	add("parallel", fmt.Sprint(req.GetParallel()))
	add("tracing", h.tracing)
	add("organization", req.GetOrganization())
	if info := req.GetInfo(); info != nil {
		add("root_directory", info.GetRootDirectory())
	}
	args = append(args, programPath(req.GetInfo(), req.GetProgram()))
	args = append(args, req.GetArgs()...)

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	var extra []string
	if cfg := req.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("serializing config: %w", err)
		}
		extra = append(extra, "PULUMI_CONFIG="+string(b))
	}
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("serializing config secret keys: %w", err)
		}
		extra = append(extra, "PULUMI_CONFIG_SECRET_KEYS="+string(b))
	}
	cmd.Env = withEnv(cmd, extra...)
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr

	logging.V(5).Infof("language host launching: %s %s", cmd.Path, strings.Join(cmd.Args[1:], " "))
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// lockedSender serialises writes from the child's stdout and stderr copiers
// onto one gRPC stream (a stream's Send must not be called concurrently).
type lockedSender struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w lockedSender) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	buf := append([]byte(nil), p...)
	if err := w.send(buf); err != nil {
		return 0, err
	}
	return len(p), nil
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
	args := append([]string{"-u", programPath(req.GetInfo(), req.GetProgram())}, req.GetArgs()...)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	cmd.Env = withEnv(cmd, req.GetEnv()...)
	if req.GetPwd() != "" {
		cmd.Dir = req.GetPwd()
	}

	var mu sync.Mutex
	cmd.Stdout = lockedSender{&mu, func(b []byte) error {
		return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = lockedSender{&mu, func(b []byte) error {
		return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}

	logging.V(5).Infof("language host launching plugin: %s %s", cmd.Path, strings.Join(cmd.Args[1:], " "))
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("running python plugin: %w", err)
		}
		code = int32(exitErr.ExitCode())
	}
	mu.Lock()
	defer mu.Unlock()
	return srv.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}

func (h *pythonHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, srv pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	tc, err := resolveToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var stdout io.Writer = lockedSender{&mu, func(b []byte) error {
		return srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b})
	}}
	var stderr io.Writer = lockedSender{&mu, func(b []byte) error {
		return srv.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b})
	}}
	dir := req.GetDirectory()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	return tc.InstallDependencies(srv.Context(), dir, req.GetUseLanguageVersionTools(), true, stdout, stderr)
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
