// Command readers reads texts with the real Go readers the deployment artifacts meet, for the tests:
//
//   - "hcl": HashiCorp's HCL v1 (github.com/hashicorp/hcl), the library envconsul and consul-template
//     read their -config files with, decoded as they decode it (hcl.Decode into a generic map, blocks
//     as lists of objects); the result is that value as JSON.
//   - "godotenv": github.com/joho/godotenv, whose fork in compose-go is the reader of `env_file:` and
//     `.env` in Docker Compose v2; the result is the variables, each value base64 so every byte is exact.
//
// Built from Debian's packages, no module download: GOPATH=/usr/share/gocode GO111MODULE=off
// (golang-github-hashicorp-hcl-dev, golang-github-joho-godotenv-dev).
//
// Input on stdin: a JSON array of jobs {"reader": "hcl"|"godotenv", "text": base64}. Output: a JSON
// array of results in order, {"value": …} or {"env": {name: base64}} or {"error": text}.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/hcl"
	"github.com/joho/godotenv"
)

type job struct {
	Reader string `json:"reader"`
	Text   string `json:"text"`
}

type result struct {
	Value interface{}       `json:"value,omitempty"`
	Env   map[string]string `json:"env,omitempty"`
	Error string            `json:"error,omitempty"`
}

func run(j job) result {
	raw, err := base64.StdEncoding.DecodeString(j.Text)
	if err != nil {
		return result{Error: fmt.Sprintf("text is not base64: %v", err)}
	}
	switch j.Reader {
	case "hcl":
		var value map[string]interface{}
		if err := hcl.Decode(&value, string(raw)); err != nil {
			return result{Error: err.Error()}
		}
		if value == nil {
			value = map[string]interface{}{}
		}
		return result{Value: value}
	case "godotenv":
		env, err := godotenv.Unmarshal(string(raw))
		if err != nil {
			return result{Error: err.Error()}
		}
		encoded := map[string]string{}
		for k, v := range env {
			encoded[k] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		return result{Env: encoded}
	default:
		return result{Error: fmt.Sprintf("unknown reader %q", j.Reader)}
	}
}

func main() {
	input, err := io.ReadAll(os.Stdin)
	if err == nil {
		var jobs []job
		if err = json.Unmarshal(input, &jobs); err == nil {
			results := make([]result, len(jobs))
			for i, j := range jobs {
				results[i] = run(j)
			}
			err = json.NewEncoder(os.Stdout).Encode(results)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
