"""Internal TLS from Consul Connect (generator/runtime/connect/, docs/tls.md): the leaf certificate and
the CA roots of the local agent, checked (material), written to private files (files), given to the
group marked `x-connect-tls` (source), followed by a watcher (follow), served and called with the
standard library's `ssl` (tls), and callers authorized by Consul's intentions (authorize)."""
