"""Where `crm login` keeps its tokens: one JSON file, readable by its owner only (mode 0600, in a
directory of mode 0700), holding a login per system URL, so logging into a second system does not
replace the first one's.

The directory is CRM_CONFIG_DIR, else $XDG_CONFIG_HOME/crm, else ~/.config/crm. The variables
CRM_API_KEY (sent as `X-apikey`) and CRM_TOKEN (a bearer token) take precedence over the file, for
scripts and CI.
"""
import json
import os
import tempfile

FILE_NAME = "credentials.json"


def config_dir():
    explicit = os.environ.get("CRM_CONFIG_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "crm")


def normalized(url):
    return url.rstrip("/")


class Credentials:
    def __init__(self, directory=None):
        self.directory = directory or config_dir()
        self.path = os.path.join(self.directory, FILE_NAME)

    def _all(self):
        try:
            with open(self.path) as handle:
                stored = json.load(handle)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # unreadable or damaged: as if logged in nowhere (the next login rewrites it)
        return stored if isinstance(stored, dict) else {}

    def get(self, url):
        entry = self._all().get(normalized(url))
        return entry if isinstance(entry, dict) and entry.get("token") else None

    def put(self, url, entry):
        stored = self._all()
        stored[normalized(url)] = entry
        self._write(stored)

    def remove(self, url):
        stored = self._all()
        if stored.pop(normalized(url), None) is None:
            return False
        self._write(stored)
        return True

    def _write(self, stored):
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        # written beside the file, mode 0600 from the start, then renamed over it: never a moment
        # where the tokens are readable by others or half written
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".credentials-")
        try:
            with os.fdopen(handle, "w") as out:
                os.fchmod(out.fileno(), 0o600)
                json.dump(stored, out, indent=2, sort_keys=True)
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
