"""Loading request data with marshmallow schemas into clean dicts, or a ValidationFailed naming the field."""
from marshmallow import ValidationError

from infra.errors import ValidationFailed


def _flatten(messages, prefix=""):
    flat = {}
    for key, value in messages.items():
        name = "{}{}".format(prefix, key)
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = [str(message) for message in (value if isinstance(value, list) else [value])]
    return flat


def load(schema, data, error=ValidationFailed, partial=None):
    """`schema.load(data)`; on failure raises `error` naming the first invalid field and listing all."""
    if not isinstance(data, dict):
        raise error("Request body must be a JSON object", "body")
    try:
        return schema.load(data, partial=partial)
    except ValidationError as exc:
        errors = _flatten(exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages})
        field = sorted(errors)[0]
        raise error("{}: {}".format(field, errors[field][0]), field, errors)
