@{banner}#
# envconsul for @{service}: runs the service with its settings from Consul KV as environment
# variables, named exactly as its loader reads them (docs/deployment.md "envconsul").
# Run: envconsul -config @{config}
# Consul is found through CONSUL_HTTP_ADDR (and CONSUL_HTTP_TOKEN, CONSUL_CACERT).

# The trailing / keeps sibling prefixes out (e.g. config/wazo-auth-keys/… beside config/wazo-auth/…).
prefix {
  path   = @{path}
  format = @{format}
}

# Every character outside [A-Za-z0-9_] becomes _, then upper case. For example:
@{example}sanitize = true
upcase   = true

# Keep the rest of the environment (PATH, WAZO_CONSUL_*, …).
pristine = false

# envconsul never reloads a program in place: any change in Consul restarts the service.
exec {
  command      = @{command}
  kill_signal  = "SIGTERM"
  kill_timeout = "30s"
  splay        = "5s"
}

wait {
  min = "5s"
  max = "10s"
}
