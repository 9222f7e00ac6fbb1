# stagegate: build, test, lint, bench. `make setup` prepares a fresh machine.
GO        ?= go
BIN       ?= bin/stagegate
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck

.PHONY: all setup build install demo test test-short race lint fmt bench fuzz clean

all: build

# setup: tool and module downloads, the pinned npm for conformance tests, tmux for terminal tests.
setup:
	bash .ci/setup

# A static binary (no cgo: pure-Go DNS and user lookup) starts with about
# 1.5 MB less resident memory, since no libc is mapped.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/stagegate

install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/stagegate

demo:
	$(GO) run ./cmd/stagegate demo

# test: every test, including the npm conformance suite and tmux tests
# (they find the pinned npm in .cache/npm, installed by `make setup`).
test: setup
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags npmdiff -run TestNpmDifferential ./internal/npmrc/

test-short:
	$(GO) test -short ./...

race:
	$(GO) test -race -short ./...

# lint also checks that go.mod and go.sum are tidy (direct dependencies are
# not marked indirect, nothing unused is required); `go mod tidy` fixes it.
lint:
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum not tidy: run go mod tidy"; $(GO) mod tidy -diff; exit 1; }
	@out=$$(gofmt -l cmd ui internal assets); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

fmt:
	gofmt -w cmd ui internal assets

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz:
	bash bench/fuzz.sh 60s

clean:
	rm -rf bin
