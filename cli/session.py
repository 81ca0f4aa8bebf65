"""The state a command runs with: the system's URL, the credentials for it, the output."""
import os

from cli.client import Client
from cli.credentials import Credentials
from cli.errors import Refused
from cli.output import Output

DEFAULT_URL = "http://localhost:8000"


class Session:
    def __init__(self, url, output=None, credentials=None):
        self.url = url.rstrip("/")
        self.output = output or Output()
        self.credentials = credentials or Credentials()

    def client(self, authenticated=True):
        """An HTTP client of the gateway, acting as CRM_API_KEY, CRM_TOKEN or the stored login (in
        that order); `authenticated=False` for sign-up and login."""
        if not authenticated:
            return self.client_with()
        api_key, token = os.environ.get("CRM_API_KEY"), os.environ.get("CRM_TOKEN")
        if api_key or token:
            return self.client_with(token=token, api_key=api_key,
                                    when_refused="; check {}".format("CRM_API_KEY" if api_key else "CRM_TOKEN"))
        stored = self.credentials.get(self.url)
        if not stored:
            raise Refused("not logged in to {}: run `crm login` or `crm signup` (or set CRM_API_KEY)"
                          .format(self.url))
        return self.client_with(token=stored["token"], when_refused="; log in again: `crm login`")

    def client_with(self, token=None, api_key=None, when_refused=""):
        return Client(self.url, token=token, api_key=api_key, on_wait=self._waiting, when_refused=when_refused)

    @staticmethod
    def from_environment():
        return bool(os.environ.get("CRM_API_KEY") or os.environ.get("CRM_TOKEN"))

    def _waiting(self, seconds, why):
        if seconds >= 2:  # a 1 s rate-limit pause is routine in demo data; longer ones are worth a word
            self.output.note("{}: waiting {:.0f} s".format(why, seconds))

    def remember_login(self, email, token, expires_at, workspace_id):
        self.credentials.put(self.url, {"email": email, "token": token, "expires_at": expires_at,
                                        "workspace_id": workspace_id})
