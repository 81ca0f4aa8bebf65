"""Settings read from the environment; the same variables configure `make run` and docker-compose."""
import os

SERVICES = ("directory", "accounts", "prospects", "deals", "goals")

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me"


def environment():
    """`development` (the default for `make run`), `test` or `production`."""
    return os.environ.get("CRM_ENV", "development")


def database_url(service):
    """`<SERVICE>_DATABASE_URL`, else a SQLite file under var/ (the embedded default)."""
    default = "sqlite:///{}".format(os.path.join(var_dir(), "{}.db".format(service)))
    return os.environ.get("{}_DATABASE_URL".format(service.upper()), default)


def var_dir():
    return os.environ.get("CRM_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var"))


def amqp_uri():
    return os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)


def jwt_secret():
    """The signing secret. Outside development a missing or default secret is refused."""
    secret = os.environ.get("JWT_SECRET", "")
    if environment() != "development" and secret in ("", DEVELOPMENT_JWT_SECRET):
        raise RuntimeError("JWT_SECRET must be set to a non-default value when CRM_ENV={}".format(environment()))
    return secret or DEVELOPMENT_JWT_SECRET


def float_setting(name, default):
    return float(os.environ.get(name, default))


def int_setting(name, default):
    return int(os.environ.get(name, default))
