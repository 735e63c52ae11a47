// Package langhost is what this repository's language hosts (pulumi-language-python,
// pulumi-language-nodejs, pulumi-language-go) share: the gRPC server the engine talks to, the
// engine address, the RPCs every host answers the same way, the child process's environment and
// exit status, and the streams of InstallDependencies and RunPlugin.
//
// The upstream hosts live in Go modules the module proxy reachable here refuses (403); these are
// small hosts of our own on sdk/v3's rpc and plugin packages (see each host's main.go).
package langhost

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
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ExitCodeUserActionable is the exit status of a program (Node.js runner, Python executor, Go
// SDK) that has already shown the user its error: the host then bails without adding its own.
const ExitCodeUserActionable = 32

// Flags are the command line every host accepts: -tracing, and the engine address as the first
// argument. ignored names string flags older engines passed, accepted and not used.
type Flags struct {
	Tracing string
	Engine  string
}

// ParseFlags parses os.Args into Flags; extra may define more flags on the same set first.
func ParseFlags(extra func(*flag.FlagSet), ignored ...string) Flags {
	var f Flags
	flag.StringVar(&f.Tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	for _, name := range ignored {
		flag.String(name, "", "(ignored: taken from the program info)")
	}
	if extra != nil {
		extra(flag.CommandLine)
	}
	flag.Parse()
	if args := flag.Args(); len(args) > 0 {
		f.Engine = args[0]
	}
	return f
}

// Serve runs host as the LanguageRuntime gRPC server of the process named name: logging and
// tracing set up, the port printed on the first line of stdout (the engine reads it), then
// serving until the engine stops it. The RPCs the host leaves unimplemented answer
// codes.Unimplemented with a message that names this host and what it does implement.
func Serve(name string, flags Flags, host pulumirpc.LanguageRuntimeServer, implemented string) {
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing(name, name, flags.Tracing)

	explain := func(method string, err error) error {
		if status.Code(err) != codes.Unimplemented {
			return err
		}
		rpc := method[strings.LastIndex(method, "/")+1:]
		return status.Errorf(codes.Unimplemented,
			"%s (the language host of pulumi-ilert-contacts' tools/pulumi-cli, not the upstream one) "+
				"does not implement %s; it implements %s", name, rpc, implemented)
	}
	options := append(rpcutil.OpenTracingServerInterceptorOptions(nil),
		grpc.ChainUnaryInterceptor(func(
			ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler,
		) (any, error) {
			resp, err := handler(ctx, req)
			return resp, explain(info.FullMethod, err)
		}),
		grpc.ChainStreamInterceptor(func(
			srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler,
		) error {
			return explain(info.FullMethod, handler(srv, ss))
		}),
	)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: options,
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// Base answers the RPCs every host here answers alike; a host embeds it.
type Base struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	Tracing string

	mu            sync.Mutex
	engineAddress string
}

// NewBase starts a Base from the command line.
func NewBase(flags Flags) Base {
	return Base{Tracing: flags.Tracing, engineAddress: flags.Engine}
}

// Engine is the engine's address, from the command line or the handshake.
func (b *Base) Engine() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.engineAddress
}

func (b *Base) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if req.GetEngineAddress() != "" {
		b.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (b *Base) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// GetRequiredPlugins and GetRequiredPackages report none: the engine then loads a provider plugin
// when a resource needs it (Pulumi.yaml plugins:, PATH, or the plugin cache), and installs nothing.
func (b *Base) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (b *Base) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (b *Base) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// ProgramDir is the program's directory: the program info's, else pwd, else the current one.
func ProgramDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if pwd != "" {
		return pwd
	}
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// ProgramPath is the file or directory the program starts from: the entry point of the program
// info in its program directory, else fallback (the request's program), else ".".
func ProgramPath(info *pulumirpc.ProgramInfo, fallback string) string {
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

// Options are the project's runtime options (Pulumi.yaml runtime.options).
func Options(info *pulumirpc.ProgramInfo) map[string]any {
	if info == nil || info.GetOptions() == nil {
		return map[string]any{}
	}
	return info.GetOptions().AsMap()
}

// WithEnv returns cmd's environment (inherited if unset) with extra appended; os/exec keeps the
// last value of a duplicated key.
func WithEnv(cmd *exec.Cmd, extra ...string) []string {
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	return append(append([]string{}, env...), extra...)
}

// ConfigEnv is the stack's config as every SDK reads it: PULUMI_CONFIG (a JSON object) and
// PULUMI_CONFIG_SECRET_KEYS (a JSON array), for those the request carries.
func ConfigEnv(req *pulumirpc.RunRequest) ([]string, error) {
	var env []string
	if cfg := req.GetConfig(); cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return nil, fmt.Errorf("serializing config: %w", err)
		}
		env = append(env, "PULUMI_CONFIG="+string(b))
	}
	if keys := req.GetConfigSecretKeys(); keys != nil {
		b, err := json.Marshal(keys)
		if err != nil {
			return nil, fmt.Errorf("serializing config secret keys: %w", err)
		}
		env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(b))
	}
	return env, nil
}

// RunProgram runs cmd (its output to the host's own, which the engine shows) and turns how it
// ended into the RunResponse the engine expects.
func RunProgram(cmd *exec.Cmd) *pulumirpc.RunResponse {
	if cmd.Stdout == nil {
		cmd.Stdout = os.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	logging.V(5).Infof("language host launching: %s %s", cmd.Path, strings.Join(cmd.Args[1:], " "))
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == ExitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}
	}
	return &pulumirpc.RunResponse{}
}

// lockedSender serialises writes from a child's stdout and stderr copiers onto one gRPC stream
// (a stream's Send must not be called concurrently).
type lockedSender struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w lockedSender) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.send(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Stream is a child's stdout and stderr sent as messages of one gRPC stream; Lock holds both
// writers back (for a last message after the child ended).
type Stream struct {
	Stdout, Stderr io.Writer
	mu             *sync.Mutex
}

// NewStream makes the writers from the stream's two ways of sending a chunk.
func NewStream(stdout, stderr func([]byte) error) Stream {
	mu := &sync.Mutex{}
	return Stream{Stdout: lockedSender{mu, stdout}, Stderr: lockedSender{mu, stderr}, mu: mu}
}

func (s Stream) Lock()   { s.mu.Lock() }
func (s Stream) Unlock() { s.mu.Unlock() }

// InstallStream is an InstallDependencies response stream as writers.
func InstallStream(srv pulumirpc.LanguageRuntime_InstallDependenciesServer) Stream {
	return NewStream(
		func(b []byte) error { return srv.Send(&pulumirpc.InstallDependenciesResponse{Stdout: b}) },
		func(b []byte) error { return srv.Send(&pulumirpc.InstallDependenciesResponse{Stderr: b}) },
	)
}

// RunStreamed runs cmd in dir with its output on stream, naming the command in the error.
func RunStreamed(cmd *exec.Cmd, dir string, stream Stream) error {
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stream.Stdout, stream.Stderr
	logging.V(5).Infof("language host running in %s: %s", dir, strings.Join(cmd.Args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s in %s: %w", strings.Join(cmd.Args, " "), dir, err)
	}
	return nil
}
