package registry

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/stagegate/stagegate/internal/termsafe"
)

// DefaultMaxFactsBytes caps the packument read for a dependency's facts.
// Full packuments of long-lived packages run to tens of MB; a dependency
// whose document is larger is reported as a lookup that failed.
const DefaultMaxFactsBytes = 48 << 20

// PackageFacts are the facts about a dependency that a review weighs: when
// the package and each version appeared, who maintains it, deprecations and
// install scripts. Every string is registry text (untrusted) and clipped.
type PackageFacts struct {
	Name        string
	Created     string // time.created, RFC 3339
	Modified    string
	DistTags    map[string]string
	Maintainers []string // at most maxFactsMaintainers names
	Versions    map[string]VersionFacts
}

// VersionFacts are one version's facts.
type VersionFacts struct {
	Time           string // time[version]
	InstallScripts bool   // preinstall, install or postinstall, or hasInstallScript
	Deprecated     string // the deprecation message, "" when not deprecated
}

const (
	maxFactsMaintainers = 20
	maxFactsText        = 200
)

// factsDoc is the part of a full packument that facts read.
type factsDoc struct {
	Name        string            `json:"name"`
	DistTags    map[string]string `json:"dist-tags"`
	Time        map[string]any    `json:"time"`
	Maintainers []any             `json:"maintainers"`
	Versions    map[string]struct {
		Scripts          map[string]any `json:"scripts"`
		HasInstallScript any            `json:"hasInstallScript"`
		Deprecated       any            `json:"deprecated"`
	} `json:"versions"`
}

// ParsePackageFacts reads a full packument into PackageFacts. Fields of the
// wrong shape are ignored, not fatal: only JSON that does not parse is an error.
func ParsePackageFacts(data []byte) (*PackageFacts, error) {
	var d factsDoc
	if err := json.Unmarshal(data, &d); err != nil {
		// A field of the wrong type fails the whole decode: retry field by
		// field so one odd field does not hide the rest.
		var loose map[string]json.RawMessage
		if lerr := json.Unmarshal(data, &loose); lerr != nil {
			return nil, err
		}
		d = factsDoc{}
		_ = json.Unmarshal(loose["name"], &d.Name)
		_ = json.Unmarshal(loose["dist-tags"], &d.DistTags)
		_ = json.Unmarshal(loose["time"], &d.Time)
		_ = json.Unmarshal(loose["maintainers"], &d.Maintainers)
		var vs map[string]json.RawMessage
		_ = json.Unmarshal(loose["versions"], &vs)
		if len(vs) > 0 {
			d.Versions = make(map[string]struct {
				Scripts          map[string]any `json:"scripts"`
				HasInstallScript any            `json:"hasInstallScript"`
				Deprecated       any            `json:"deprecated"`
			}, len(vs))
			for v, raw := range vs {
				var m map[string]json.RawMessage
				if json.Unmarshal(raw, &m) != nil {
					continue
				}
				e := d.Versions[v]
				_ = json.Unmarshal(m["scripts"], &e.Scripts)
				_ = json.Unmarshal(m["hasInstallScript"], &e.HasInstallScript)
				_ = json.Unmarshal(m["deprecated"], &e.Deprecated)
				d.Versions[v] = e
			}
		}
	}
	f := &PackageFacts{Name: termsafe.Clip(d.Name, maxFactsText), DistTags: map[string]string{}, Versions: make(map[string]VersionFacts, len(d.Versions))}
	for k, v := range d.DistTags {
		f.DistTags[k] = v
	}
	timeOf := func(k string) string {
		s, _ := d.Time[k].(string)
		return termsafe.Clip(s, 64)
	}
	f.Created, f.Modified = timeOf("created"), timeOf("modified")
	for _, m := range d.Maintainers {
		var name string
		switch m := m.(type) {
		case string:
			name = m // "name <email>"
		case map[string]any:
			name, _ = m["name"].(string)
		}
		if name != "" && len(f.Maintainers) < maxFactsMaintainers {
			f.Maintainers = append(f.Maintainers, termsafe.Clip(name, 60))
		}
	}
	for v, m := range d.Versions {
		vf := VersionFacts{Time: timeOf(v)}
		for _, s := range []string{"preinstall", "install", "postinstall"} {
			if _, ok := m.Scripts[s]; ok {
				vf.InstallScripts = true
			}
		}
		if b, ok := m.HasInstallScript.(bool); ok && b {
			vf.InstallScripts = true
		}
		switch dep := m.Deprecated.(type) {
		case string:
			vf.Deprecated = termsafe.Clip(dep, maxFactsText)
		case bool:
			if dep {
				vf.Deprecated = "deprecated"
			}
		}
		f.Versions[v] = vf
	}
	return f, nil
}

// Facts fetches a package's full packument (accept: application/json: the
// abbreviated document has no time) and reduces it to PackageFacts, reading
// at most maxBytes (DefaultMaxFactsBytes when <= 0). Like every GET, it is
// retried on 5xx and network errors within the client's budget.
func (c *Client) Facts(ctx context.Context, name string, maxBytes int64) (*PackageFacts, error) {
	esc, err := EscapeName(name)
	if err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxFactsBytes
	}
	r := request{method: http.MethodGet, url: c.url("/" + esc), accept: "application/json", command: stageCommand,
		maxBytes: maxBytes, expectBody: true}
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	f, err := ParsePackageFacts(resp.body)
	if err != nil {
		return nil, &Error{Kind: ErrBadResponse, Status: resp.status, Method: r.method, URL: stripUserinfo(r.url),
			Registry: c.registry, Sent: true, Message: "invalid packument: " + sanitize(err.Error(), 200), Err: err}
	}
	return f, nil
}
