"""The `crm` command line: a running system through its public API (HTTP to the gateway) and, for
the maintenance commands, through RPC and the services' own maintenance functions."""
