"""The prospects service's rules, without I/O: the catalogs (catalog), normalised keys and search
(keys), contacts over time and status moves (timeline), planning an import (imports)."""
