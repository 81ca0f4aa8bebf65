"""HTTP gateway: parses HTTP, authenticates, calls services over RPC and renders each API family."""
