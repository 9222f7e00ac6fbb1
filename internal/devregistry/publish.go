package devregistry

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/mod/semver"
)

// maxTarball bounds one decoded tarball.
const maxTarball = 100 << 20

// nameRE is npm's validate-npm-package-name for new packages: lowercase,
// URL-safe, optionally scoped, at most 214 characters.
var nameRE = regexp.MustCompile(`^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$`)

func validName(name string) bool {
	return len(name) <= 214 && nameRE.MatchString(name)
}

// validVersion accepts strict semver 2.0 (what `semver.clean` leaves).
func validVersion(v string) bool {
	return v != "" && !strings.HasPrefix(v, "v") && semver.IsValid("v"+v) && strings.Count(strings.SplitN(strings.SplitN(v, "-", 2)[0], "+", 2)[0], ".") == 2
}

// validTag accepts what npm-package-arg accepts as a tag: URL-safe text
// that is not itself a version.
func validTag(t string) bool {
	return t != "" && url.QueryEscape(t) == t && !validVersion(strings.TrimPrefix(t, "v"))
}

// publishDoc is the body npm publish PUTs and npm stage publish POSTs (libnpmpublish).
type publishDoc struct {
	Name        string                     `json:"name"`
	DistTags    map[string]string          `json:"dist-tags"`
	Versions    map[string]json.RawMessage `json:"versions"`
	Access      *string                    `json:"access"`
	Attachments map[string]struct {
		Data   string `json:"data"`
		Length *int64 `json:"length"`
	} `json:"_attachments"`
}

// upload is a checked publish document.
type upload struct {
	version  string
	tag      string
	access   string
	manifest json.RawMessage // with dist rewritten from the verified tarball
	tarball  []byte
	shasum   string
}

// httpError carries a status through parsing.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(msg string) error { return &httpError{http.StatusBadRequest, msg} }

// parseUpload validates a publish document for name: one version, one tag,
// one tarball whose sha1 and sha512 match what the manifest's dist claims.
func parseUpload(r *http.Request, name string, limit int64) (*upload, error) {
	var doc publishDoc
	body, err := readBody(r.Body, r.ContentLength, limit)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &httpError{http.StatusRequestEntityTooLarge, "request body too large"}
		}
		return nil, badRequest("cannot read the request body")
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, badRequest("request body is not a JSON publish document")
	}
	body = nil // the document holds what is needed; let the bytes go
	if doc.Name != name {
		return nil, badRequest("package name in the body (" + strconv.Quote(doc.Name) + ") does not match the URL")
	}
	if len(doc.Versions) != 1 {
		return nil, badRequest("a publish document must carry exactly one version")
	}
	up := &upload{}
	var raw json.RawMessage
	for v, m := range doc.Versions {
		up.version, raw = v, m
	}
	if !validVersion(up.version) {
		return nil, badRequest("invalid version: " + strconv.Quote(up.version))
	}
	var man map[string]json.RawMessage
	if err := json.Unmarshal(raw, &man); err != nil || man == nil {
		return nil, badRequest("the version manifest is not a JSON object")
	}
	var mName, mVersion string
	_ = json.Unmarshal(man["name"], &mName)
	_ = json.Unmarshal(man["version"], &mVersion)
	if mName != name || mVersion != up.version {
		return nil, badRequest("the manifest's name and version do not match the document")
	}
	if len(doc.DistTags) != 1 {
		return nil, badRequest("a publish document must carry exactly one dist-tag")
	}
	for t, v := range doc.DistTags {
		up.tag = t
		if v != up.version {
			return nil, badRequest("the dist-tag must point at the published version")
		}
	}
	if !validTag(up.tag) {
		return nil, badRequest("invalid tag: " + strconv.Quote(up.tag))
	}
	up.access = "public"
	if doc.Access != nil && *doc.Access != "" {
		up.access = *doc.Access
	} else if strings.HasPrefix(name, "@") {
		up.access = "restricted" // npmjs's default for a new scoped package
	}
	if up.access != "public" && up.access != "restricted" {
		return nil, badRequest("access must be public or restricted")
	}

	var tgzData string
	var length *int64
	found := 0
	for fname, att := range doc.Attachments {
		if strings.HasSuffix(fname, ".tgz") {
			tgzData, length = att.Data, att.Length
			found++
		}
		// A .sigstore provenance bundle is accepted and not verified.
	}
	if found != 1 {
		return nil, badRequest("a publish document must carry exactly one .tgz attachment")
	}
	if base64.StdEncoding.DecodedLen(len(tgzData)) > maxTarball+3 {
		return nil, &httpError{http.StatusRequestEntityTooLarge, "tarball too large"}
	}
	data, err := base64.StdEncoding.DecodeString(tgzData)
	if err != nil || len(data) == 0 {
		return nil, badRequest("the tarball attachment is not base64")
	}
	if length != nil && *length != int64(len(data)) {
		return nil, badRequest("the tarball's length does not match the attachment's length")
	}
	sum1 := sha1.Sum(data)
	sum512 := sha512.Sum512(data)
	up.shasum = hex.EncodeToString(sum1[:])
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(sum512[:])

	var dist map[string]json.RawMessage
	_ = json.Unmarshal(man["dist"], &dist)
	var claimedSha, claimedSRI string
	_ = json.Unmarshal(dist["shasum"], &claimedSha)
	_ = json.Unmarshal(dist["integrity"], &claimedSRI)
	if claimedSha != "" && !strings.EqualFold(claimedSha, up.shasum) {
		return nil, badRequest("shasum mismatch: the tarball's sha1 is not dist.shasum")
	}
	if claimedSRI != "" && !sriHas(claimedSRI, integrity) {
		return nil, badRequest("integrity mismatch: the tarball's sha512 is not dist.integrity")
	}
	// dist is rewritten from the verified bytes; tarball is filled per request.
	newDist, _ := json.Marshal(map[string]string{"shasum": up.shasum, "integrity": integrity})
	man["dist"] = newDist
	man["_id"], _ = json.Marshal(name + "@" + up.version)
	if up.manifest, err = json.Marshal(man); err != nil {
		return nil, badRequest("cannot re-encode the manifest")
	}
	up.tarball = data
	return up, nil
}

// readBody reads a request body of at most limit bytes (r enforces the
// limit too). A known length is read into one buffer of that size;
// otherwise the body arrives in fixed chunks joined once at the end, so a
// body cut at the limit holds about the limit in memory, not the up to
// 2.25 times of a doubling buffer.
func readBody(r io.Reader, length, limit int64) ([]byte, error) {
	if length > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	if length >= 0 {
		buf := make([]byte, length)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	const chunk = 1 << 20
	var parts [][]byte
	total := 0
	for {
		c := make([]byte, chunk)
		n, err := io.ReadFull(r, c)
		if n > 0 {
			parts = append(parts, c[:n])
			total += n
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, total)
	for i, p := range parts {
		out = append(out, p...)
		parts[i] = nil
	}
	return out, nil
}

// sriHas reports whether an SRI string lists want among its sha512 entries;
// it fails when the string has sha512 entries and none match.
func sriHas(sri, want string) bool {
	seen := false
	for _, f := range strings.Fields(sri) {
		h, _, _ := strings.Cut(f, "?")
		if strings.HasPrefix(h, "sha512-") {
			seen = true
			if h == want {
				return true
			}
		}
	}
	return !seen
}

// handlePublish serves PUT /{name} (npm publish) and
// POST /-/stage/package/{name} (npm stage publish).
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request, name string, stage bool) {
	ro, ok := s.requireRole(w, r, stage, "publish directly")
	if !ok {
		return
	}
	if !validName(name) {
		writeError(w, http.StatusBadRequest, "invalid package name: "+strconv.Quote(name))
		return
	}
	up, err := parseUpload(r, name, s.opts.MaxBodyBytes)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) {
			writeError(w, he.status, he.msg)
		} else {
			writeError(w, http.StatusBadRequest, err.Error())
		}
		return
	}
	actor, actorType := s.actor(ro)

	// The tarball is stored under the lock, after the conflict check, so a
	// concurrent reject can never delete a blob a new record is about to use.
	s.mu.Lock()
	defer s.mu.Unlock()
	published, staged := s.st.versionTaken(name, up.version)
	switch {
	case stage && (published || staged):
		writeError(w, http.StatusConflict, "Cannot stage previously published version "+strconv.Quote(up.version))
		return
	case !stage && staged:
		writeError(w, http.StatusConflict, "Cannot publish over previously staged version "+strconv.Quote(up.version)+".")
		return
	case !stage && published:
		writeError(w, http.StatusConflict, "Cannot publish over previously published version "+strconv.Quote(up.version)+".")
		return
	}
	key, err := s.store.put(up.tarball)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "cannot store the tarball")
		return
	}
	now := s.opts.Now()
	if !stage {
		if err := s.publishLocked(name, up.version, up.manifest, key, []string{up.tag}, actor, actorType, now); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		if err := s.commitLocked(change{Package: s.st.Packages[name]}); err != nil {
			writeError(w, http.StatusInternalServerError, "cannot save state")
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "id": name, "success": true})
		return
	}
	rec := &stageRec{item: item{
		ID: uuid.NewString(), PackageName: name, Version: up.version, Tag: up.tag,
		CreatedAt: now.UTC().Format(timeLayout), Actor: actor, ActorType: actorType,
		Access: up.access, Shasum: up.shasum,
	}, Blob: key, Manifest: up.manifest}
	s.insertStageLocked(rec)
	if err := s.commitLocked(change{AddStage: rec}); err != nil {
		writeError(w, http.StatusInternalServerError, "cannot save state")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"ok": true, "stageId": rec.ID})
}

// insertStageLocked adds rec to the queue. Caller holds s.mu.
func (s *Server) insertStageLocked(rec *stageRec) { s.st.insertStage(rec) }

// tarballFile is the file name npmjs gives a version's tarball.
func tarballFile(name, version string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	return name + "-" + version + ".tgz"
}

func (s *Server) handlePackument(w http.ResponseWriter, r *http.Request, name string) {
	base := s.baseURL(r)
	s.mu.Lock()
	p := s.st.Packages[name]
	if p == nil || len(p.Versions) == 0 {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	versions := make(map[string]json.RawMessage, len(p.Versions))
	for v, m := range p.Versions {
		versions[v] = withTarballURL(m, base+"/"+name+"/-/"+tarballFile(name, v))
	}
	distTags := make(map[string]string, len(p.DistTags))
	for k, v := range p.DistTags {
		distTags[k] = v
	}
	times := make(map[string]string, len(p.Time))
	for k, v := range p.Time {
		times[k] = v
	}
	s.mu.Unlock()

	var latest struct {
		Description string `json:"description"`
		Readme      string `json:"readme"`
	}
	if m, ok := versions[distTags["latest"]]; ok {
		_ = json.Unmarshal(m, &latest)
	}
	maint := []map[string]string{{"name": s.opts.Username, "email": s.opts.Username + "@localhost"}}
	writeJSON(w, http.StatusOK, map[string]any{
		"_id": name, "name": name, "description": latest.Description, "readme": latest.Readme,
		"dist-tags": distTags, "versions": versions, "time": times, "maintainers": maint,
	})
}

// withTarballURL sets dist.tarball in a stored manifest.
func withTarballURL(man json.RawMessage, u string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(man, &m) != nil {
		return man
	}
	var dist map[string]json.RawMessage
	_ = json.Unmarshal(m["dist"], &dist)
	if dist == nil {
		dist = map[string]json.RawMessage{}
	}
	dist["tarball"], _ = json.Marshal(u)
	m["dist"], _ = json.Marshal(dist)
	out, err := json.Marshal(m)
	if err != nil {
		return man
	}
	return out
}

// handleTarball serves a published version's tarball. Both npmjs's name
// ("pkg-1.0.0.tgz") and the one libnpmpublish writes ("@scope/pkg-1.0.0.tgz") work.
func (s *Server) handleTarball(w http.ResponseWriter, r *http.Request, name, file string) {
	s.mu.Lock()
	p := s.st.Packages[name]
	blob := ""
	if p != nil {
		for v, b := range p.Blobs {
			if file == tarballFile(name, v) || file == name+"-"+v+".tgz" {
				blob = b
				break
			}
		}
	}
	s.mu.Unlock()
	if blob == "" {
		writeError(w, http.StatusNotFound, "Not found")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300, immutable")
	s.writeBlob(w, r, blob)
}
