
template {
  source      = @{source}
  destination = @{destination}
  perms       = 0600@{owner}

  exec {
    command = @{command}
  }

  wait {
    min = "2s"
    max = "10s"
  }
}
