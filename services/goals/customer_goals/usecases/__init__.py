"""The customer goals API's use cases, one function per RPC entrypoint, each taking a Context."""
