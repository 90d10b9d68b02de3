"""Consul: located as generator/runtime/consul/locate.ts locates it, read over the standard
library's HTTP client, waited for with capped backoff."""
