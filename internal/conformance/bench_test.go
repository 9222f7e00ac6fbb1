package conformance

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
)

// bearer is a registry.Authorizer with one token for one origin.
type bearer struct{ origin, token string }

func (b bearer) AuthHeader(u string) string {
	if strings.HasPrefix(u, b.origin) {
		return "Bearer " + b.token
	}
	return ""
}

// seedQueue stages n versions of name concurrently.
func seedQueue(b testing.TB, reg, token, name string, n int) {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs := make(chan int)
	var (
		wg   sync.WaitGroup
		once sync.Once
		fail error
	)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if _, err := StageViaAPI(ctx, http.DefaultClient, reg, token, name, fmt.Sprintf("1.%d.%d", i/1000, i%1000), ""); err != nil {
					once.Do(func() { fail = err })
					cancel()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if fail != nil {
		b.Fatal(Redact(fail.Error(), token))
	}
}

// BenchmarkList1000 lists a queue of 1,000 staged items (10 pages) from
// the embedded registry over loopback HTTP: with the registry client
// in-process, with the stagegate binary, and with npm (architecture.md §6:
// stagegate must be at least 5x faster than npm; compare the ns/op of
// the binary and npm sub-benchmarks, or run bench/list.sh).
func BenchmarkList1000(b *testing.B) {
	srv, reg := startRegistry(b, devregistry.Options{})
	seedQueue(b, reg, srv.Token(), "bench-pkg", 1000)

	b.Run("client", func(b *testing.B) {
		c, err := registry.New(registry.Options{Registry: reg, Auth: bearer{strings.TrimSuffix(reg, "/"), srv.Token()}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			items, err := c.ListStaged(context.Background(), "")
			if err != nil {
				b.Fatal(Redact(err.Error(), srv.Token()))
			}
			if len(items) != 1000 {
				b.Fatalf("listed %d items, want 1000", len(items))
			}
		}
	})

	// The two CLIs, each a whole process per list as a user runs it.
	dir := b.TempDir()
	rc := filepath.Join(dir, "npmrc")
	if err := os.WriteFile(rc, []byte("registry="+reg+"\n"+nerf(reg)+":_authToken="+srv.Token()+"\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	env := append(IsolatedEnv(os.Environ(), dir), "npm_config_cache="+filepath.Join(dir, "cache"),
		"npm_config_globalconfig="+filepath.Join(dir, "no-global"))
	cli := func(name, bin string, args ...string) {
		b.Run(name, func(b *testing.B) {
			r := &Runner{Bin: bin, Dir: dir, Env: env, Secrets: []string{srv.Token()}}
			for b.Loop() {
				res := r.Run(context.Background(), append(args, "--userconfig", rc)...)
				if !res.OK() || len(res.Stdout) < 1000*100 {
					b.Fatalf("list failed or short:\n%s", r.Describe(res))
				}
			}
		})
	}
	cli("stagegate", stagegateBinary(b), "list", "--json")
	if npmBin, _, err := FindNPM(repoRoot(b), os.Getenv); err == nil {
		cli("npm", npmBin, "stage", "list", "--json")
	} else {
		b.Logf("npm sub-benchmark skipped: %v", err)
	}
}
