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

// Dist is the dist block of a published version.
type Dist struct {
	Integrity string `json:"integrity,omitempty"`
	Shasum    string `json:"shasum,omitempty"`
	Tarball   string `json:"tarball,omitempty"`
}

// Version is a published version's manifest as far as stagegate needs it.
type Version struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Dist    Dist            `json:"dist"`
	NpmUser json.RawMessage `json:"_npmUser,omitempty"`
}

// Packument is the full package document (GET /{name}).
type Packument struct {
	Name     string             `json:"name"`
	DistTags map[string]string  `json:"dist-tags"`
	Versions map[string]Version `json:"versions"`
	Time     map[string]string  `json:"time,omitempty"`
}
