package devregistry

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stagegate/stagegate/internal/pack"
)

// SeedFile is the shape of seed.json.
type SeedFile struct {
	Packages []SeedPackage `json:"packages"`
}

// SeedPackage is one package and its versions, applied in order.
type SeedPackage struct {
	Name     string        `json:"name"`
	Versions []SeedVersion `json:"versions"`
}

// SeedVersion is one version: a package folder to pack, published or staged.
type SeedVersion struct {
	Version   string   `json:"version"`
	Dir       string   `json:"dir"`   // folder in the seed fs holding package.json
	State     string   `json:"state"` // "published" or "staged"
	Tags      []string `json:"tags"`  // published: dist-tags to point here
	Tag       string   `json:"tag"`   // staged: the stored tag (default "latest")
	Actor     string   `json:"actor"`
	ActorType string   `json:"actorType"`
	Ago       string   `json:"ago"` // how long ago it was published or staged: "90m", "3h", "2d"
	// Provenance (published): the version came from a trusted publisher
	// (OIDC) with provenance: _npmUser.trustedPublisher and dist.attestations.
	Provenance bool `json:"provenance,omitempty"`
	// ValidateFor (staged): the record shows status "validating" for this
	// long after seeding, then "staged"; "" gives no status (staged).
	ValidateFor string `json:"validateFor,omitempty"`
}

// Seed loads seed.json from the root of fsys and publishes or stages each
// version, packing its folder with internal/pack. A version applied by an
// earlier Seed (recorded in the persisted state) or already present is
// skipped, so seeding a DataDir again on restart neither duplicates nor
// resurrects rejected versions.
func (s *Server) Seed(fsys fs.FS) error {
	raw, err := fs.ReadFile(fsys, "seed.json")
	if err != nil {
		return fmt.Errorf("devregistry: seed: %w", err)
	}
	var sf SeedFile
	if err := json.Unmarshal(raw, &sf); err != nil {
		return fmt.Errorf("devregistry: seed.json: %w", err)
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range sf.Packages {
		if !validName(p.Name) {
			return fmt.Errorf("devregistry: seed: invalid package name %q", p.Name)
		}
		for _, v := range p.Versions {
			if err := s.seedVersion(fsys, p.Name, v, now); err != nil {
				_ = s.saveLocked() // keep what was applied consistent on disk
				return fmt.Errorf("devregistry: seed %s@%s: %w", p.Name, v.Version, err)
			}
		}
	}
	return s.saveLocked()
}

func (s *Server) seedVersion(fsys fs.FS, name string, v SeedVersion, now time.Time) error {
	key := name + "@" + v.Version
	if _, done := s.st.Seeded[key]; done {
		return nil
	}
	if published, staged := s.st.versionTaken(name, v.Version); published || staged {
		s.st.Seeded[key] = struct{}{}
		return nil
	}
	if !validVersion(v.Version) {
		return fmt.Errorf("invalid version")
	}
	ago, err := parseAgo(v.Ago)
	if err != nil {
		return err
	}
	at := now.Add(-ago)
	dir := path.Clean(v.Dir)
	if !fs.ValidPath(dir) {
		return fmt.Errorf("invalid dir %q", v.Dir)
	}
	files, err := pack.FS(fsys, dir)
	if err != nil {
		return err
	}
	tgz, err := pack.Tgz(files)
	if err != nil {
		return err
	}
	pj, err := fs.ReadFile(fsys, path.Join(dir, "package.json"))
	if err != nil {
		return err
	}
	var man map[string]json.RawMessage
	if err := json.Unmarshal(pj, &man); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	var mName, mVersion string
	_ = json.Unmarshal(man["name"], &mName)
	_ = json.Unmarshal(man["version"], &mVersion)
	if mName != name || mVersion != v.Version {
		return fmt.Errorf("package.json says %s@%s", mName, mVersion)
	}
	sum1 := sha1.Sum(tgz)
	sum512 := sha512.Sum512(tgz)
	shasum := hex.EncodeToString(sum1[:])
	man["_id"], _ = json.Marshal(key)
	dist := map[string]any{"shasum": shasum, "integrity": "sha512-" + base64.StdEncoding.EncodeToString(sum512[:])}
	if v.Provenance && v.State != "staged" {
		dist["attestations"] = map[string]any{
			"url":        s.opts.PublicURL + "/-/npm/v1/attestations/" + key,
			"provenance": map[string]string{"predicateType": "https://slsa.dev/provenance/v1"},
		}
	}
	man["dist"], _ = json.Marshal(dist)
	manifest, err := json.Marshal(man)
	if err != nil {
		return err
	}
	blob, err := s.store.put(tgz)
	if err != nil {
		return err
	}
	actor, actorType := v.Actor, v.ActorType
	if actor == "" {
		actor, actorType = s.actor(maintainer)
	} else if actorType == "" {
		actorType = "user"
	}
	switch v.State {
	case "published", "":
		tags := v.Tags
		if len(tags) == 0 && (s.st.Packages[name] == nil || s.st.Packages[name].DistTags["latest"] == "") {
			tags = []string{"latest"}
		}
		if err := s.publishLocked(name, v.Version, manifest, blob, tags, actor, actorType, at); err != nil {
			return err
		}
		if v.Provenance {
			s.markTrustedLocked(name, v.Version)
		}
	case "staged":
		tag := v.Tag
		if tag == "" {
			tag = "latest"
		}
		if !validTag(tag) {
			return fmt.Errorf("invalid tag %q", tag)
		}
		// As npm stage publish does: publishConfig.access, else the
		// registry's default for the name.
		access := "public"
		if strings.HasPrefix(name, "@") {
			access = "restricted"
		}
		var pc struct {
			PublishConfig struct {
				Access string `json:"access"`
			} `json:"publishConfig"`
		}
		if json.Unmarshal(manifest, &pc) == nil && (pc.PublishConfig.Access == "public" || pc.PublishConfig.Access == "restricted") {
			access = pc.PublishConfig.Access
		}
		rec := &stageRec{item: item{
			ID: uuid.NewString(), PackageName: name, Version: v.Version, Tag: tag,
			CreatedAt: at.UTC().Format(timeLayout), Actor: actor, ActorType: actorType,
			Access: access, Shasum: shasum,
		}, Blob: blob, Manifest: manifest}
		if v.ValidateFor != "" {
			d, err := parseAgo(v.ValidateFor)
			if err != nil {
				return err
			}
			rec.ValidUntil = now.Add(d).UTC().Format(timeLayout)
		}
		s.insertStageLocked(rec)
	default:
		return fmt.Errorf("state must be published or staged, not %q", v.State)
	}
	s.st.Seeded[key] = struct{}{}
	return nil
}

// markTrustedLocked records that a published version came from a trusted
// publisher, as npmjs writes it: _npmUser.trustedPublisher.
func (s *Server) markTrustedLocked(name, version string) {
	p := s.st.Packages[name]
	var m map[string]json.RawMessage
	if p == nil || json.Unmarshal(p.Versions[version], &m) != nil {
		return
	}
	var u map[string]any
	_ = json.Unmarshal(m["_npmUser"], &u)
	if u == nil {
		u = map[string]any{}
	}
	u["trustedPublisher"] = map[string]string{"id": "github", "oidcConfigId": "oidc:demo"}
	m["_npmUser"], _ = json.Marshal(u)
	if doc, err := json.Marshal(m); err == nil {
		p.Versions[version] = doc
	}
}

var agoRE = regexp.MustCompile(`^(\d+)([wd])(.*)$`)

// parseAgo reads a Go duration, also accepting leading days ("2d", "1d6h")
// and weeks ("1w"). "" is zero.
func parseAgo(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	var d time.Duration
	if m := agoRE.FindStringSubmatch(s); m != nil {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 10000 {
			return 0, fmt.Errorf("bad ago %q", s)
		}
		unit := 24 * time.Hour
		if m[2] == "w" {
			unit *= 7
		}
		d = time.Duration(n) * unit
		s = m[3]
		if s == "" {
			return d, nil
		}
	}
	rest, err := time.ParseDuration(s)
	if err != nil || rest < 0 {
		return 0, fmt.Errorf("bad ago %q", s)
	}
	return d + rest, nil
}
