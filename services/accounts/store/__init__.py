"""Every SQL statement of the accounts service, by what it reads or writes: `accounts` (an account, its
contacts and fields), `lists` (the list's filters and pages), `projection` (the deals projection and the
counters it keeps)."""
