"""pipespec: pipelines shipped as pure-data specifications, never live objects."""
