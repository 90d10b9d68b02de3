
template {
  source      = @{source}
  destination = @{destination}
  perms       = 0600

  exec {
    command = @{command}
  }

  wait {
    min = "2s"
    max = "10s"
  }
}
