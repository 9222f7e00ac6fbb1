package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/stagegate/stagegate/internal/devregistry"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/review"
	"github.com/stagegate/stagegate/ui"
)

// TestQueueSpansScopedRegistries is issue 11 item 4 over HTTP: the user's
// npmrc routes @acme to a second registry with its own token. The
// dashboard's queue lists both; an approval of an item listed on the
// second goes there, with that registry's code, and publishes nothing on
// the first; a registry that stops answering leaves the other's queue.
func TestQueueSpansScopedRegistries(t *testing.T) {
	f := newFixture(t)
	srvB, urlB := startDemoRegistry(t, devregistry.Options{})
	f.secrets = append(f.secrets, srvB.Token(), srvB.TOTPSecret())
	rc, err := os.ReadFile(f.userconfig)
	if err != nil {
		t.Fatal(err)
	}
	rc = append(rc, []byte("@acme:registry="+urlB+"\n"+strings.TrimPrefix(urlB, "http:")+":_authToken="+srvB.Token()+"\n"+
		// A scope routed to a registry without credentials is not listed.
		"@open:registry=http://127.0.0.1:9/\n")...)
	if err := os.WriteFile(f.userconfig, rc, 0o600); err != nil {
		t.Fatal(err)
	}
	g := &globals{registry: f.url, userconfig: f.userconfig}
	e, err := g.newEnv()
	if err != nil {
		t.Fatal(err)
	}
	q, err := newQueue(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Registries(); len(got) != 2 || got[0] != f.url || got[1] != urlB {
		t.Fatalf("Registries() = %v, want [%s %s]", got, f.url, urlB)
	}
	ctx := context.Background()
	items, err := q.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	perReg := map[string]int{}
	for _, it := range items {
		perReg[it.Registry]++
	}
	nA := len(f.items())
	if perReg[f.url] != nA || perReg[urlB] != nA || len(items) != 2*nA {
		t.Fatalf("listed %v, want %d items on each registry", perReg, nA)
	}

	// The demo stages the same versions on both: approve one on B.
	var onB registry.StageItem
	for _, it := range items {
		if it.Registry == urlB && it.PackageName == "slugkit" {
			onB = it
		}
	}
	if onB.ID == "" {
		t.Fatal("slugkit is not staged on the second registry")
	}
	if _, err := q.Review(ctx, onB, func(review.Progress) {}); err != nil {
		t.Fatal(err)
	}
	// A's code is refused by B: each registry has its own account.
	codeA, _ := totp.GenerateCode(f.srv.TOTPSecret(), time.Now())
	codeB, _ := totp.GenerateCode(srvB.TOTPSecret(), time.Now())
	if codeA != codeB {
		var re *registry.Error
		if err := q.Approve(ctx, onB, onB.Shasum, codeA); !errors.As(err, &re) || re.Kind != registry.ErrOTPRejected {
			t.Fatalf("B accepted A's code: %v", err)
		}
	}
	if err := q.Approve(ctx, onB, onB.Shasum, codeB); err != nil {
		t.Fatal(err)
	}
	if ok, _ := publishedOn(t, urlB, onB.PackageName, onB.Version); !ok {
		t.Fatalf("%s@%s not published on the registry it was staged on", onB.PackageName, onB.Version)
	}
	if ok, _ := publishedOn(t, f.url, onB.PackageName, onB.Version); ok {
		t.Fatalf("%s@%s was published on the default registry too", onB.PackageName, onB.Version)
	}
	if u, err := q.Whoami(ctx, urlB); err != nil || u == "" {
		t.Fatalf("whoami on B: %q, %v", u, err)
	}

	// B goes away: A's queue still lists, with B named as failed.
	srvB.Close()
	items, err = q.List(ctx)
	var le *ui.ListErrors
	if !errors.As(err, &le) || le.Answered != 1 || len(le.Failed) != 1 || le.Failed[0].Registry != urlB {
		t.Fatalf("List with B down: %v", err)
	}
	if len(items) != nA {
		t.Fatalf("List with B down returned %d items, want A's %d", len(items), nA)
	}
}

// publishedOn reports whether reg serves name@version.
func publishedOn(t *testing.T, reg, name, version string) (bool, error) {
	t.Helper()
	c, err := registry.New(registry.Options{Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Packument(context.Background(), name)
	if err != nil {
		return false, err
	}
	_, ok := p.Versions[version]
	return ok, nil
}
