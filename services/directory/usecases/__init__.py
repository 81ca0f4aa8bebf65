"""The directory's use cases, one function per RPC entrypoint, each taking a `Context`
(infra.service): `auth` (sign-up, login, API-key and caller checks), `users`, `groups`,
`campaigns`, `api_keys`."""
