// Command ctmpl renders consul-template templates over a Consul KV snapshot, for the tests.
//
// It is Go's own text/template with consul-template's function names and semantics (as of
// hashicorp/consul-template template/funcs.go), limited to the functions wazo-config's templates
// use: a template calling any other function fails to parse, so the tests also prove that the
// generated templates stay inside this set. KV snapshots are in `consul kv export` format:
// [{"key": "a/b", "flags": 0, "value": "<base64>"}]. A Connect snapshot holds the local agent's
// answers as it serves them: {"leaves": {"<service>": <GET /v1/agent/connect/ca/leaf/<service>>},
// "roots": <GET /v1/agent/connect/ca/roots>}, read by caLeaf and caRoots.
//
// One-shot:  ctmpl -kv snapshot.json [-connect connect.json] template.ctmpl   (output on stdout, error on stderr, exit 1)
// Batch:     ctmpl -batch < jobs.json                                         (one process for many renders)
//
// Key arguments are parsed as consul-template parses them (dependency.NewKVGetQuery: an optional
// leading "/", the key up to the first "?" or "@", then "?query" and "@datacenter"), so a key the
// generator writes but consul-template would read differently fails here too. The snapshot is one
// datacenter with no namespace or partition: a "@dc" or a valid query is an error naming the key.
//
// A batch is a JSON array of jobs; each job is either {"template": path, "kv": [...]} (render) or
// {"envconsul": {"prefix", "format", "sanitize", "upcase"}, "kv": [...]} (the environment envconsul
// gives its child). Results come back in order as {"output": base64} or {"env": {name: base64}} or
// {"error": text}; base64 keeps every byte exact. A render job may carry "connect": a Connect snapshot.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
	"time"
)

type kvEntry struct {
	Key   string `json:"key"`
	Flags uint64 `json:"flags"`
	Value string `json:"value"`
}

type kvStore map[string]string

func loadKV(entries []kvEntry) (kvStore, error) {
	kv := kvStore{}
	for _, e := range entries {
		raw, err := base64.StdEncoding.DecodeString(e.Value)
		if err != nil {
			return nil, fmt.Errorf("key %q: value is not base64: %v", e.Key, err)
		}
		kv[e.Key] = string(raw)
	}
	return kv, nil
}

// consul-template's argument grammar (hashicorp/consul-template dependency/dependency.go, kv_get.go,
// kv_list.go).
const (
	dcRe    = `(@(?P<dc>[[:word:]\.\-\_]+))?`
	queryRe = `(\?(?P<query>[[:word:]\-\_\=\&]+))?`
)

// keyArgRe is KVGetQueryRe, and KVListQueryRe too (its prefixRe is keyRe under another name).
var keyArgRe = regexp.MustCompile(`\A/?(?P<key>[^@\?]+)` + queryRe + dcRe + `\z`)

// parseKey is the key (or prefix) consul-template reads for the argument s, or its error.
func parseKey(what string, s string) (string, error) {
	m := keyArgRe.FindStringSubmatch(s)
	if m == nil {
		return "", fmt.Errorf("%s: invalid format: %q", what, s)
	}
	group := func(name string) string { return m[keyArgRe.SubexpIndex(name)] }
	if query := group("query"); query != "" {
		params, err := url.ParseQuery(query)
		if err != nil {
			return "", fmt.Errorf("%s: invalid query: %q: %s", what, query, err)
		}
		for name := range params {
			switch name {
			case "ns", "peer", "partition", "sameness-group":
			default:
				return "", fmt.Errorf("%s: invalid query parameter key %q in query %q: supported keys: ns,peer,partition,sameness-group", what, name, query)
			}
		}
		return "", fmt.Errorf("%s: %q reads key %q with ?%s, which the snapshot (no namespace, partition or peer) cannot serve", what, s, group("key"), query)
	}
	if dc := group("dc"); dc != "" {
		return "", fmt.Errorf("%s: %q reads key %q in datacenter %q, not the local one", what, s, group("key"), dc)
	}
	return group("key"), nil
}

// leafCert is what caLeaf returns: the agent's answer decoded into consul's api.LeafCert
// (hashicorp/consul api/connect_ca.go), the same field names, so a template that names a field
// consul-template does not have fails here too.
type leafCert struct {
	SerialNumber  string
	CertPEM       string
	PrivateKeyPEM string
	Service       string
	ServiceURI    string
	ValidAfter    time.Time
	ValidBefore   time.Time
	CreateIndex   uint64
	ModifyIndex   uint64
}

// caRoot is one element of what caRoots returns (consul-template hands the template the roots
// list itself, api.CARootList.Roots, not the list object). Only the fields api.CARoot has in every
// consul api version consul-template has pinned: the PEM is RootCertPEM in templates, "RootCert"
// in the agent's JSON. Intermediates are not here: the agent appends them to the leaf's CertPEM.
type caRoot struct {
	ID          string
	Name        string
	RootCertPEM string `json:"RootCert"`
	Active      bool
	CreateIndex uint64
	ModifyIndex uint64
}

// connectSnapshot is the local agent's Connect answers: the leaf per service and the roots.
type connectSnapshot struct {
	Leaves map[string]*leafCert `json:"leaves"`
	Roots  *struct {
		Roots []*caRoot
	} `json:"roots"`
}

// funcMap mirrors consul-template's functions of the same names.
func funcMap(kv kvStore, connect *connectSnapshot) template.FuncMap {
	return template.FuncMap{
		// caLeaf (template/funcs.go connectLeafFunc): nothing for no name; the agent's leaf for the
		// service. consul-template waits for a leaf it has not got yet: with a snapshot, one that is
		// not there can never arrive.
		"caLeaf": func(s ...string) (interface{}, error) {
			if len(s) == 0 || s[0] == "" {
				return nil, nil
			}
			if connect != nil {
				if leaf, ok := connect.Leaves[s[0]]; ok {
					return leaf, nil
				}
			}
			return nil, fmt.Errorf("caLeaf %q: no leaf for the service in the Connect snapshot (consul-template would wait for it)", s[0])
		},
		// caRoots (connectCARootsFunc): the trusted roots, arguments ignored.
		"caRoots": func(...string) ([]*caRoot, error) {
			if connect == nil || connect.Roots == nil {
				return nil, errors.New("caRoots: no roots in the Connect snapshot (consul-template would wait for them)")
			}
			return connect.Roots.Roots, nil
		},
		"trimSpace": func(s string) (string, error) {
			return strings.TrimSpace(s), nil
		},
		// key blocks until the key exists; with a snapshot, a missing key can never arrive.
		"key": func(s string) (string, error) {
			if s == "" {
				return "", nil
			}
			k, err := parseKey("kv.get", s)
			if err != nil {
				return "", err
			}
			v, ok := kv[k]
			if !ok {
				return "", fmt.Errorf("key %q is not in the snapshot (consul-template would wait for it)", s)
			}
			return v, nil
		},
		"keyExists": func(s string) (bool, error) {
			if s == "" {
				return false, nil
			}
			k, err := parseKey("kv.get", s)
			if err != nil {
				return false, err
			}
			_, ok := kv[k]
			return ok, nil
		},
		// keyOrDefault returns the default for a missing key and for an empty value.
		"keyOrDefault": func(s, def string) (string, error) {
			if s == "" {
				return def, nil
			}
			k, err := parseKey("kv.get", s)
			if err != nil {
				return "", err
			}
			if v, ok := kv[k]; ok && v != "" {
				return v, nil
			}
			return def, nil
		},
		"toJSON": func(i interface{}) (string, error) {
			result, err := json.Marshal(i)
			if err != nil {
				return "", fmt.Errorf("toJSON: %v", err)
			}
			return string(bytes.TrimSpace(result)), nil
		},
		"base64Encode": func(s string) (string, error) {
			return base64.StdEncoding.EncodeToString([]byte(s)), nil
		},
		"regexMatch": func(re, s string) (bool, error) {
			compiled, err := regexp.Compile(re)
			if err != nil {
				return false, err
			}
			return compiled.MatchString(s), nil
		},
		"replaceAll": func(f, t, s string) (string, error) {
			return strings.Replace(s, f, t, -1), nil
		},
		// Sprig's list and fail, which consul-template exposes with the sprig_ prefix.
		"sprig_list": func(v ...interface{}) []interface{} {
			return v
		},
		"sprig_fail": func(msg string) (string, error) {
			return "", errors.New(msg)
		},
	}
}

func render(path string, kv kvStore, connect *connectSnapshot) ([]byte, error) {
	contents, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(filepath.Base(path)).Delims("{{", "}}").Funcs(funcMap(kv, connect)).Parse(string(contents))
	if err != nil {
		return nil, fmt.Errorf("template: %s", err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, nil); err != nil {
		return nil, fmt.Errorf("template: %s", err)
	}
	return out.Bytes(), nil
}

type envconsulPrefix struct {
	Prefix   string `json:"prefix"`
	Format   string `json:"format"`
	Sanitize bool   `json:"sanitize"`
	Upcase   bool   `json:"upcase"`
}

var invalidEnvChars = regexp.MustCompile("[^a-zA-Z0-9_]")

// envconsulEnv is what envconsul exports for one `prefix` block (hashicorp/envconsul runner.go
// appendPrefixes): consul-template's KV list, in Consul's key order, each key made relative to the
// prefix with leading "/" trimmed (a folder key such as "a/" is exported like any other); a blank
// key skipped; the format template with `key`, then sanitize, then upcase; a later key overwrites an
// earlier one that gives the same name. Then what execve() refuses, as the child would meet it: a
// NUL in a variable, or a NAME=value longer than Linux's MAX_ARG_STRLEN.
func envconsulEnv(p envconsulPrefix, kv kvStore) (map[string]string, error) {
	prefix, err := parseKey("kv.list", p.Prefix)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(kv))
	for full := range kv {
		keys = append(keys, full)
	}
	sort.Strings(keys)
	env := map[string]string{}
	for _, full := range keys {
		if !strings.HasPrefix(full, prefix) {
			continue
		}
		key := strings.TrimLeft(strings.TrimPrefix(full, prefix), "/")
		if strings.TrimSpace(key) == "" {
			continue
		}
		if p.Format != "" {
			tmpl, err := template.New("format").Funcs(template.FuncMap{"key": func() string { return key }}).Parse(p.Format)
			if err != nil {
				return nil, err
			}
			var out bytes.Buffer
			if err := tmpl.Execute(&out, nil); err != nil {
				return nil, err
			}
			key = out.String()
		}
		if p.Sanitize {
			key = invalidEnvChars.ReplaceAllString(key, "_")
		}
		if p.Upcase {
			key = strings.ToUpper(key)
		}
		env[key] = kv[full]
	}
	for name, value := range env {
		if strings.IndexByte(value, 0) >= 0 {
			return nil, fmt.Errorf("the program does not start: %s holds a NUL (execve: invalid argument)", name)
		}
		if len(name)+1+len(value)+1 > maxArgStrlen {
			return nil, fmt.Errorf("the program does not start: %s=… is longer than %d bytes (execve: argument list too long)", name, maxArgStrlen)
		}
	}
	return env, nil
}

// maxArgStrlen is Linux's limit on one string of a new program's environment, its NUL included.
const maxArgStrlen = 131072

type job struct {
	Template  string           `json:"template,omitempty"`
	Envconsul *envconsulPrefix `json:"envconsul,omitempty"`
	KV        []kvEntry        `json:"kv"`
	Connect   *connectSnapshot `json:"connect,omitempty"`
}

type result struct {
	Output *string           `json:"output,omitempty"`
	Env    map[string]string `json:"env"` // null for renders
	Error  string            `json:"error,omitempty"`
}

func run(j job) result {
	kv, err := loadKV(j.KV)
	if err != nil {
		return result{Error: err.Error()}
	}
	if j.Envconsul != nil {
		env, err := envconsulEnv(*j.Envconsul, kv)
		if err != nil {
			return result{Error: err.Error()}
		}
		encoded := map[string]string{}
		for k, v := range env {
			encoded[k] = base64.StdEncoding.EncodeToString([]byte(v))
		}
		return result{Env: encoded}
	}
	out, err := render(j.Template, kv, j.Connect)
	if err != nil {
		return result{Error: err.Error()}
	}
	text := base64.StdEncoding.EncodeToString(out)
	return result{Output: &text}
}

func main() {
	batch := flag.Bool("batch", false, "read a JSON array of jobs on stdin, write results on stdout")
	kvPath := flag.String("kv", "", "KV snapshot (consul kv export format)")
	connectPath := flag.String("connect", "", "Connect snapshot (the agent's leaf answers by service, and its roots)")
	flag.Parse()
	if *batch {
		input, err := io.ReadAll(os.Stdin)
		if err != nil {
			fail(err)
		}
		var jobs []job
		if err := json.Unmarshal(input, &jobs); err != nil {
			fail(err)
		}
		results := make([]result, len(jobs))
		for i, j := range jobs {
			results[i] = run(j)
		}
		if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
			fail(err)
		}
		return
	}
	if flag.NArg() != 1 || *kvPath == "" {
		fail(errors.New("usage: ctmpl -kv snapshot.json [-connect connect.json] template.ctmpl | ctmpl -batch < jobs.json"))
	}
	var entries []kvEntry
	raw, err := os.ReadFile(*kvPath)
	if err == nil {
		err = json.Unmarshal(raw, &entries)
	}
	if err != nil {
		fail(err)
	}
	kv, err := loadKV(entries)
	if err != nil {
		fail(err)
	}
	var connect *connectSnapshot
	if *connectPath != "" {
		raw, err := os.ReadFile(*connectPath)
		if err == nil {
			err = json.Unmarshal(raw, &connect)
		}
		if err != nil {
			fail(err)
		}
	}
	out, err := render(flag.Arg(0), kv, connect)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
