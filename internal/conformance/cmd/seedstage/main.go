// Command seedstage fills a staging registry's queue with many small
// staged versions through the HTTP API, for benchmarks (bench/list.sh).
//
// It reads the registry URL and token from the start line that
// `stagegate registry --json` printed (-start FILE), so the token is never
// on a command line, and can write an npm user config for that registry
// (-npmrc FILE) for npm and stagegate to share.
//
//	seedstage -start start.json -npmrc bench.npmrc -n 1000 -name bench-pkg
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/stagegate/stagegate/internal/conformance"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "seedstage:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("seedstage", flag.ContinueOnError)
	start := fs.String("start", "", "file holding the `stagegate registry --json` start line (required)")
	npmrc := fs.String("npmrc", "", "write an npm user config (registry and token) to this file")
	n := fs.Int("n", 1000, "number of versions to stage")
	name := fs.String("name", "bench-pkg", "package name")
	tag := fs.String("tag", "latest", "dist-tag of every staged version")
	workers := fs.Int("c", 8, "concurrent requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *start == "" {
		return errors.New("-start is required")
	}
	line, err := os.ReadFile(*start)
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(string(line), "\n")
	sl, err := conformance.ParseStartLine([]byte(first))
	if err != nil {
		return err
	}
	if *npmrc != "" {
		rc := "registry=" + sl.URL + "\n" + "//" + strings.TrimPrefix(sl.URL, "http://") + ":_authToken=" + sl.Token + "\n"
		if err := os.WriteFile(*npmrc, []byte(rc), 0o600); err != nil {
			return err
		}
	}
	if *n <= 0 {
		return nil
	}
	if *workers < 1 {
		*workers = 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	hc := &http.Client{Timeout: 30 * time.Second}
	jobs := make(chan int)
	// The first failure is the cause; the others are its cancellation.
	var (
		failOnce sync.Once
		failure  error
		wg       sync.WaitGroup
	)
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				// 1.0.0 … 1.0.999 keeps every version distinct and stable.
				v := fmt.Sprintf("1.%d.%d", i/1000, i%1000)
				if _, err := conformance.StageViaAPI(ctx, hc, sl.URL, sl.Token, *name, v, *tag); err != nil {
					failOnce.Do(func() { failure = errors.New(conformance.Redact(err.Error(), sl.Token)) })
					cancel()
					return
				}
			}
		}()
	}
	began := time.Now()
feed:
	for i := 0; i < *n; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if failure != nil {
		return failure
	}
	fmt.Fprintf(os.Stderr, "staged %d versions of %s in %s\n", *n, *name, time.Since(began).Round(time.Millisecond))
	return nil
}
