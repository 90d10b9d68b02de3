/**
 * What `x-service.render`, `x-service.reload` and `x-service.check` say (docs/exec.md): the files
 * `wazo-config exec` writes for a daemon that knows nothing of Consul, how that daemon takes live
 * changes, and how its readiness is probed. The meta-schema is in generator/vocabulary.ts.
 */

/** The built-in writers; each escapes for its format and refuses what the format cannot carry. */
export const FORMATS = ['postgresql', 'ini', 'kamailio', 'yaml', 'json', 'env'] as const;
export type FormatName = (typeof FORMATS)[number];

export interface RenderSpec {
  /** The absolute target path. `wazo-config exec --render-dir DIR` writes it as DIR/<its basename> instead. */
  path: string;
  /** A built-in writer; exactly one of `format` and `template`. */
  format?: FormatName;
  /** A Nunjucks (Jinja2-compatible) template file, relative to the schema file. */
  template?: string;
  /** Octal file mode, e.g. `"0640"`; default 0600 when a secret can reach the file, else 0644. */
  mode?: string;
  /** The group whose leaves a writer writes, dotted (`server`); default the whole configuration. */
  from?: string;
  /** Keys directly under `from` that the writer leaves out (e.g. `service_discovery`). */
  omit?: string[];
}

export interface ReloadSpec {
  /** The signal sent to the daemon; SIGHUP when neither is given. */
  signal?: string;
  /** A command run instead (no shell); each argument is a template over the configuration. */
  command?: string[];
}

export interface CheckSpec {
  /** TCP connect; host and port are templates over the configuration (`{{ port }}`). */
  tcp?: { host: string; port: string };
  /** An HTTP GET whose status must be 2xx; the URL is a template. */
  http?: { url: string };
  /** A command (no shell) that must exit 0; each argument is a template. */
  command?: string[];
  /** Seconds one probe may take; default 5. */
  timeout?: number;
}

/** The daemon side of a service, read from `x-service`; absent for services that load their own config. */
export interface DaemonSpec {
  /** The schema file, relative to the project root: templates are found next to it. */
  schemaFile: string;
  render: RenderSpec[];
  reload?: ReloadSpec;
  check?: CheckSpec;
}

export const DEFAULT_RELOAD_SIGNAL = 'SIGHUP';
export const DEFAULT_CHECK_TIMEOUT_S = 5;
