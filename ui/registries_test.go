package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stagegate/stagegate/internal/registry"
)

const corpReg = "https://npm.corp.example/npm/"

// twoRegistryItems stages on the default registry and on a scoped one; the
// corp registry hands out an id the default one also uses.
func twoRegistryItems() []registry.StageItem {
	items := stageItems()
	for i := range items {
		items[i].Registry = "http://127.0.0.1:4873/"
	}
	return append(items,
		registry.StageItem{ID: "id-router-152", PackageName: "@corp/ui", Version: "3.1.0", Tag: "latest", CreatedAt: "2026-11-25T11:00:00Z",
			Actor: "carol", ActorType: "user", Shasum: "4444444444444444444444444444444444444444", Registry: corpReg},
		registry.StageItem{ID: "id-corp-2", PackageName: "@corp/api", Version: "0.9.0", Tag: "latest", CreatedAt: "2026-11-25T11:30:00Z",
			Actor: "github-actions", ActorType: "oidc", Shasum: "5555555555555555555555555555555555555555", Registry: corpReg},
	)
}

func twoRegistryBackend() *fakeBackend {
	return &fakeBackend{items: twoRegistryItems(), regs: []string{"http://127.0.0.1:4873/", corpReg},
		users: map[string]string{corpReg: "carol"}}
}

func TestQueueGroupsByRegistry(t *testing.T) {
	for _, w := range []int{80, 120, 200} {
		h := newHarness(t, twoRegistryBackend(), w, 24)
		h.mustSee("127.0.0.1:4873 + 1 more", "5 staged versions in 4 packages", "▌127.0.0.1:4873  3 staged versions", "▌npm.corp.example/npm  2 staged versions")
		s := h.screen()
		if !(strings.Index(s, "left-pad") < strings.Index(s, "npm.corp.example") && strings.Index(s, "npm.corp.example") < strings.Index(s, "@corp/api")) {
			t.Fatalf("not grouped by registry, default first:\n%s", s)
		}
		golden(t, fmt.Sprintf("queue-registries-%d", w), s)
	}
}

func TestQueueSameIDOnTwoRegistries(t *testing.T) {
	f := twoRegistryBackend()
	h := newHarness(t, f, 120, 30)
	h.keys("/")
	h.typeText("corp.example")
	h.mustSee("(2 of 5)")
	h.keys("enter")
	// @corp/api sorts first; j moves to @corp/ui, whose id the default
	// registry's @acme/router 1.5.2 also has: only @corp/ui is selected.
	h.keys("j", " ")
	if len(h.m.selected) != 1 {
		t.Fatalf("selected %v", h.m.selected)
	}
	h.keys("esc")
	h.mustSee("1 selected")
	h.keys("a")
	h.settle()
	h.mustSee("Publish:", "@corp/ui", "the code of your account on "+corpReg, "staged this version yourself")
	h.typeText("123456")
	h.keys("enter")
	calls := f.callsCopy()
	if len(calls) != 1 || calls[0].reg != corpReg || calls[0].id != "id-router-152" {
		t.Fatalf("approve went to %+v, want @corp/ui on %s", calls, corpReg)
	}
}

func TestBatchAcrossRegistriesRefused(t *testing.T) {
	f := twoRegistryBackend()
	h := newHarness(t, f, 120, 30)
	h.keys("*", "a")
	h.mustSee("the selection spans 2 registries")
	h.keys("R")
	h.mustSee("the selection spans 2 registries")
	if len(f.callsCopy()) != 0 {
		t.Fatal("a decision was sent for a batch across registries")
	}
}

func TestQueuePartialList(t *testing.T) {
	f := twoRegistryBackend()
	var defaults []registry.StageItem
	for _, it := range f.items {
		if it.Registry != corpReg {
			defaults = append(defaults, it)
		}
	}
	f.items = defaults
	f.listErr = &ListErrors{Answered: 1, Failed: []*RegistryError{{Registry: corpReg,
		Err: &registry.Error{Kind: registry.ErrNotLoggedIn, Message: "unauthorized"}}}}
	h := newHarness(t, f, 160, 24)
	h.mustSee("3 staged versions", "1 registry not listed", "not logged in to "+corpReg+" (npm login --registry "+corpReg+")", "showing the other registries")

	// Every registry down: the error screen names the first that failed.
	f.mu.Lock()
	f.listErr = &ListErrors{Failed: []*RegistryError{
		{Registry: corpReg, Err: &registry.Error{Kind: registry.ErrNotLoggedIn, Message: "unauthorized"}},
		{Registry: "http://127.0.0.1:4873/", Err: &registry.Error{Kind: registry.ErrNotLoggedIn, Message: "unauthorized"}}}}
	f.mu.Unlock()
	h2 := newHarness(t, f, 120, 24)
	h2.mustSee("Not logged in to "+corpReg, "npm login --registry "+corpReg)
}

// TestWebAuthOnTheItemsRegistry: browser sign-in for a version staged on
// the scoped registry is polled through that registry's client.
func TestWebAuthOnTheItemsRegistry(t *testing.T) {
	f := twoRegistryBackend()
	f.decide = codeRegistry(true, 0, "web-token")
	f.webOTP = "web-token"
	h := newHarness(t, f, 120, 30)
	h.keys("G", "a", "enter") // @corp/ui, the last row; empty code: browser
	h.settle()
	calls := f.callsCopy()
	if len(calls) != 2 || calls[1].reg != corpReg || calls[1].otp != "web-token" {
		t.Fatalf("calls %+v", calls)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.webRegs) != 1 || f.webRegs[0] != corpReg {
		t.Fatalf("web auth polled on %v, want %s", f.webRegs, corpReg)
	}
}
