@{banner}#
@{purpose}# Run: consul-template -config @{config}
# Consul is found through CONSUL_HTTP_ADDR (and CONSUL_HTTP_TOKEN, CONSUL_CACERT).
# A value a file cannot carry stops the render with an error naming the setting; the last good file
# stays in place. The files hold secrets: mode 0600.
@{templates}
