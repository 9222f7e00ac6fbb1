package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/stagegate/stagegate/internal/atomicfile"
	"github.com/stagegate/stagegate/internal/registry"
	"github.com/stagegate/stagegate/internal/report"
)

func newListCmd(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list [<pkg>]",
		Short: "List every staged version (all pages)",
		Long:  "List the versions waiting in the stage queue, every page, optionally for one package (name or name@*).",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pkg := ""
			if len(args) == 1 {
				pkg = strings.TrimSuffix(args[0], "@*")
				if strings.Contains(strings.TrimPrefix(pkg, "@"), "@") {
					return usageErr("list takes a package name (optionally name@*), not a version: %q", args[0])
				}
			}
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			items, err := e.client.ListStaged(cmd.Context(), pkg)
			if err != nil {
				return err
			}
			if asJSON {
				if items == nil {
					items = []registry.StageItem{}
				}
				return writeJSON(g, items)
			}
			return report.StageList(g.stdout, items, report.Style{Color: g.colorOn(g.stdout)})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the stage items as JSON, as `npm stage list --json` does")
	return c
}

func newViewCmd(g *globals) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "view <stage-id|name@version>",
		Short: "Show one staged version",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			item, err := viewStage(cmd.Context(), e.client, args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(g, item)
			}
			return report.StageItem(g.stdout, item, extraKeys(item), report.Style{Color: g.colorOn(g.stdout)})
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print the stage item as JSON, as `npm stage view --json` does")
	return c
}

// extraKeys lists fields of the raw item beyond the known ones, as npm prints them.
func extraKeys(item registry.StageItem) [][2]string {
	var m map[string]json.RawMessage
	if json.Unmarshal(item.Raw, &m) != nil {
		return nil
	}
	known := map[string]bool{"id": true, "packageName": true, "version": true, "tag": true, "createdAt": true, "actor": true, "actorType": true, "access": true, "shasum": true}
	var out [][2]string
	for k, v := range m {
		if known[k] {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		out = append(out, [2]string{k, s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func newDownloadCmd(g *globals) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "download <stage-id|name@version>",
		Short: "Download a staged tarball (verified against the stage record)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := g.newEnv()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if out == "-" && isTTY(g.stdout) {
				return usageErr("refusing to write a tarball to a terminal; redirect it (-o - > file.tgz) or name a file")
			}
			item, err := viewStage(ctx, e.client, args[0])
			if err != nil {
				return err
			}
			data, sum, err := fetchStagedTarball(ctx, e.client, item)
			if err != nil {
				return fmt.Errorf("%w; nothing saved", err)
			}
			if out == "-" {
				if _, err := g.stdout.Write(data); err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "wrote %d bytes to stdout (sha1 %s verified)\n", len(data), sum)
				return nil
			}
			if out == "" {
				out = downloadName(item)
			}
			if err := atomicfile.Write(out, data, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "saved %s (%d bytes, sha1 %s verified)\n", safeLine(out, 200), len(data), sum)
			return nil
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "file to write, - for stdout (default: <name>-<version>-<id>.tgz as npm names it)")
	return c
}

// downloadName follows npm stage download: the first "@" dropped, the first "/" turned into "-".
func downloadName(item registry.StageItem) string {
	name := strings.Replace(strings.Replace(item.PackageName, "@", "", 1), "/", "-", 1)
	base := fmt.Sprintf("%s-%s-%s.tgz", name, item.Version, item.ID)
	return filepath.Base(strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, base))
}

// writeJSON prints one JSON document. Characters that JSON leaves raw but a
// terminal may act on or hide (DEL, C1 controls, bidi and zero-width
// characters) are written as \u escapes: the document means the same, and
// `--json` on a terminal is as safe as the human output.
func writeJSON(g *globals, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := g.stdout.Write(escapeJSONText(buf.Bytes()))
	return err
}

// escapeJSONText \u-escapes terminal-unsafe runes; they can only occur inside JSON strings.
func escapeJSONText(b []byte) []byte {
	unsafe := func(r rune) bool {
		return r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) ||
			(r >= 0x2060 && r <= 0x2069) || r == 0x061c || r == 0xfeff || (r >= 0xe0000 && r <= 0xe007f) || r == utf8.RuneError
	}
	if !bytes.ContainsFunc(b, unsafe) {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if unsafe(r) {
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				fmt.Fprintf(&out, "\\u%04x\\u%04x", r1, r2)
			} else {
				fmt.Fprintf(&out, "\\u%04x", r)
			}
		} else {
			out.Write(b[:size])
		}
		b = b[size:]
	}
	return out.Bytes()
}
