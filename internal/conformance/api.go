package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// StartLine is what `stagegate registry --json` prints once it accepts
// connections (architecture.md §2).
type StartLine struct {
	URL        string `json:"url"`
	Token      string `json:"token"`
	TOTPSecret string `json:"totpSecret"`
}

// ParseStartLine parses and checks a start line. Its errors never quote
// the line: it carries a token and a TOTP secret.
func ParseStartLine(line []byte) (StartLine, error) {
	var sl StartLine
	if err := json.Unmarshal(line, &sl); err != nil {
		return StartLine{}, errors.New("the start line is not one JSON object")
	}
	var missing []string
	if !strings.HasPrefix(sl.URL, "http://127.0.0.1:") || !strings.HasSuffix(sl.URL, "/") {
		missing = append(missing, "url (http://127.0.0.1:PORT/)")
	}
	if sl.Token == "" {
		missing = append(missing, "token")
	}
	if sl.TOTPSecret == "" {
		missing = append(missing, "totpSecret")
	}
	if len(missing) > 0 {
		return StartLine{}, fmt.Errorf("the start line lacks %s", strings.Join(missing, ", "))
	}
	return sl, nil
}

// StageViaAPI stages name@version on registry with POST
// /-/stage/package/{name}, sending the document npm stage publish sends,
// and returns the stage id. It is how tests and benchmarks fill a queue
// with hundreds of items without an npm start-up per item. The token
// never appears in its errors.
func StageViaAPI(ctx context.Context, hc *http.Client, registry, token, name, version, tag string) (string, error) {
	tgz, err := PackTGZ(FixturePackage(name, version))
	if err != nil {
		return "", err
	}
	doc, err := PublishDocument(registry, name, version, tag, tgz)
	if err != nil {
		return "", err
	}
	u := strings.TrimRight(registry, "/") + "/-/stage/package/" + EscapeName(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(doc))
	if err != nil {
		return "", err
	}
	req.Header.Set("content-type", "application/json")
	req.Header.Set("authorization", "Bearer "+token)
	req.Header.Set("npm-command", "stage")
	req.Header.Set("npm-auth-type", "web")
	resp, err := hc.Do(req)
	if err != nil {
		// net/http errors name the URL, never the headers.
		return "", fmt.Errorf("stage %s@%s: %w", name, version, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("stage %s@%s: %w", name, version, err)
	}
	if resp.StatusCode/100 != 2 {
		return "", fmt.Errorf("stage %s@%s: %s: %s", name, version, resp.Status, bytes.TrimSpace(body))
	}
	var out struct {
		StageID string `json:"stageId"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.StageID == "" {
		return "", fmt.Errorf("stage %s@%s: response has no stageId: %s", name, version, bytes.TrimSpace(body))
	}
	return out.StageID, nil
}
