// Package registry is the HTTP client for an npm registry's staging API,
// packuments and tarballs. It speaks the protocol as the npm CLI does
// (headers, OTP and web-auth challenges) and returns typed errors a UI can act on.
package registry

import (
	"encoding/json"
)

// StageItem is one version waiting in the stage queue. Raw keeps the
// document exactly as the registry returned it, so `list --json` can print
// what `npm stage list --json` prints, extra keys included.
type StageItem struct {
	ID          string `json:"id"`
	PackageName string `json:"packageName"`
	Version     string `json:"version"`
	Tag         string `json:"tag"`
	CreatedAt   string `json:"createdAt"`
	Actor       string `json:"actor"`
	ActorType   string `json:"actorType"`
	Access      string `json:"access,omitempty"`
	Shasum      string `json:"shasum"`
	// Status is "validating" while the registry still checks the upload
	// (npm 11.20+), "staged" once it can be approved; absent means staged.
	Status string `json:"status,omitempty"`

	// Registry is the registry the item was listed on, set by a queue that
	// spans several; "" means the configured one. Not part of the wire
	// document.
	Registry string `json:"-"`

	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON keeps a copy of the raw document alongside the parsed fields.
func (s *StageItem) UnmarshalJSON(b []byte) error {
	type plain StageItem
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = StageItem(p)
	s.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the raw document when there is one, so items round-trip unchanged.
func (s StageItem) MarshalJSON() ([]byte, error) {
	if len(s.Raw) > 0 {
		return s.Raw, nil
	}
	type plain StageItem
	return json.Marshal(plain(s))
}

// Stage statuses (StageItem.Status).
const (
	StatusValidating = "validating"
	StatusStaged     = "staged"
)

// ValidatingMessage says why a validating version is not approved yet.
const ValidatingMessage = "still validating on the registry; try again in a moment"

// Validating reports whether the registry is still validating the staged
// version: it cannot be approved yet.
func (s StageItem) Validating() bool { return s.Status == StatusValidating }

// Dist is the dist block of a published version.
type Dist struct {
	Integrity string `json:"integrity,omitempty"`
	Shasum    string `json:"shasum,omitempty"`
	Tarball   string `json:"tarball,omitempty"`
	// Attestations is present on versions published with provenance.
	Attestations *Attestations `json:"attestations,omitempty"`
}

// Attestations is dist.attestations: where the sigstore bundle is, and
// the provenance predicate it carries.
type Attestations struct {
	URL        string `json:"url,omitempty"`
	Provenance struct {
		PredicateType string `json:"predicateType,omitempty"`
	} `json:"provenance"`
}

// Version is a published version's manifest as far as stagegate needs it.
type Version struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Dist    Dist            `json:"dist"`
	NpmUser json.RawMessage `json:"_npmUser,omitempty"`

	// The dependency fields, raw, so that a review can tell which
	// dependencies the staged version adds or re-points before the base
	// tarball has arrived.
	Dependencies         json.RawMessage `json:"dependencies,omitempty"`
	OptionalDependencies json.RawMessage `json:"optionalDependencies,omitempty"`
	PeerDependencies     json.RawMessage `json:"peerDependencies,omitempty"`
	Overrides            json.RawMessage `json:"overrides,omitempty"`
	BundleDependencies   json.RawMessage `json:"bundleDependencies,omitempty"`
	BundledDependencies  json.RawMessage `json:"bundledDependencies,omitempty"`
}

// DependencyManifest returns the version's dependency fields as a
// manifest object (field -> decoded value); fields that do not decode are left out.
func (v Version) DependencyManifest() map[string]any {
	out := map[string]any{}
	for k, raw := range map[string]json.RawMessage{
		"dependencies": v.Dependencies, "optionalDependencies": v.OptionalDependencies,
		"peerDependencies": v.PeerDependencies, "overrides": v.Overrides,
		"bundleDependencies": v.BundleDependencies, "bundledDependencies": v.BundledDependencies,
	} {
		if len(raw) == 0 {
			continue
		}
		var x any
		if json.Unmarshal(raw, &x) == nil && x != nil {
			out[k] = x
		}
	}
	return out
}

// Packument is the full package document (GET /{name}).
type Packument struct {
	Name     string             `json:"name"`
	DistTags map[string]string  `json:"dist-tags"`
	Versions map[string]Version `json:"versions"`
	Time     map[string]string  `json:"time,omitempty"`
}
