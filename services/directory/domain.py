"""Directory rules with no I/O: credentials, API key material, permissions."""
import hashlib
import secrets
from datetime import datetime, timezone

from werkzeug.security import check_password_hash, generate_password_hash

from contracts.permissions import PERMISSIONS
from services.directory.exceptions import OwnerOnly

API_KEY_PREFIX = "crm"


def normalize_email(email):
    return email.strip().lower()


def hash_password(password):
    return generate_password_hash(password)  # werkzeug's default: scrypt with a random salt


def password_matches(password_hash, password):
    return check_password_hash(password_hash, password)


# A constant hash to compare against when the email is unknown, so a login takes as long for a
# missing user as for a wrong password (no user enumeration by timing).
DUMMY_PASSWORD_HASH = generate_password_hash("not-a-real-password")


def new_api_key():
    """Returns (key shown once to the owner, public prefix, sha256 hash stored)."""
    prefix = secrets.token_hex(4)
    key = "{}_{}_{}".format(API_KEY_PREFIX, prefix, secrets.token_urlsafe(32))
    return key, prefix, hash_api_key(key)


def hash_api_key(key):
    # The key carries 256 random bits, so a fast hash is enough and lets us look it up by hash.
    return hashlib.sha256(key.encode()).hexdigest()


def require_owner(caller):
    if not caller.is_owner:
        raise OwnerOnly()


def effective_permissions(is_owner, granted):
    """The permission names a user holds, in the canonical order: all of them for the owner."""
    if is_owner:
        return PERMISSIONS
    granted = set(granted or ())
    return tuple(name for name in PERMISSIONS if name in granted)


def parse_utc(moment):
    """A naive UTC datetime from ISO 8601 text (with or without an offset), or None if it is not one."""
    if not isinstance(moment, str) or len(moment) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc).replace(tzinfo=None) if parsed.tzinfo else parsed
