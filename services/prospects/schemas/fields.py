"""marshmallow fields of the prospects API: comma lists of ids, dates or datetimes, money, phones."""
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields

from infra.validation import INT64_MAX
from services.prospects.domain import keys

MAX_LIST = 100
MAX_MONEY = Decimal("1e15")


class CommaIds(fields.Field):
    """"1,3,5" (or one integer) -> (1, 3, 5); each 1 .. 2^63-1, or within `low`..`high`."""

    def __init__(self, low=1, high=INT64_MAX, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _deserialize(self, value, attr, data, **kwargs):
        parts = [value] if isinstance(value, int) and not isinstance(value, bool) else str(value).split(",")
        ids = []
        for part in parts:
            text = str(part).strip()
            if not text.isdigit() or not text.isascii() or not self.low <= int(text) <= self.high:
                raise ValidationError("must be a comma-separated list of integers from {} to {}".format(self.low,
                                                                                                  self.high))
            ids.append(int(text))
        if not ids or len(ids) > MAX_LIST:
            raise ValidationError("must list 1 to {} values".format(MAX_LIST))
        return tuple(dict.fromkeys(ids))


class CommaTexts(fields.Field):
    """"a,b" -> ("a", "b"), each 1 .. `max_length` characters, optionally one of `choices`."""

    def __init__(self, max_length=100, choices=None, **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.choices = max_length, choices

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError("must be text")
        items = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
        if not items or len(items) > MAX_LIST or any(len(item) > self.max_length for item in items):
            raise ValidationError("must list 1 to {} values of at most {} characters".format(MAX_LIST,
                                                                                          self.max_length))
        if self.choices is not None and any(item not in self.choices for item in items):
            raise ValidationError("must be among: {}".format(", ".join(self.choices)))
        return items


def parse_moment(value, date_only=False):
    """"2026-03-15" -> date; "2026-03-15T09:00:00Z" (any offset) -> naive UTC datetime."""
    if not isinstance(value, str) or not 10 <= len(value.strip()) <= 40:
        raise ValidationError("must be an ISO 8601 date or date and time")
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError("must be an ISO 8601 date (YYYY-MM-DD)")
    if date_only:
        raise ValidationError("must be an ISO 8601 date (YYYY-MM-DD)")
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ValidationError("must be an ISO 8601 date or date and time")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


class Moment(fields.Field):
    """A date or a datetime (naive UTC), as `parse_moment` reads them."""

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_moment(value)


class DateTime(fields.Field):
    """A point in time; a bare date is its midnight UTC."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = parse_moment(value)
        return moment if isinstance(moment, datetime) else datetime(moment.year, moment.month, moment.day)


class Day(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        return parse_moment(value, date_only=True)


class Flag(fields.Field):
    """A query flag: true/false, 1/0."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip().lower()
        if text in ("1", "true"):
            return True
        if text in ("0", "false"):
            return False
        raise ValidationError("must be true, false, 1 or 0")


class Money(fields.Field):
    """A non-negative amount with at most 2 decimals, as a number or numeric text."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValidationError("must be a number")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError("must be a number")
        if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY or amount != amount.quantize(Decimal("0.01")):
            raise ValidationError("must be a number from 0 to 10^15 with at most 2 decimals")
        return amount.quantize(Decimal("0.01"))


class Email(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not keys.valid_email(value.strip()):
            raise ValidationError("must be a valid email address")
        return value.strip()


class Phone(fields.Field):
    """Digits only: a number or text with the usual separators."""

    def _deserialize(self, value, attr, data, **kwargs):
        digits = keys.phone_digits(value)
        if digits is None:
            raise ValidationError("must be numeric, 6 to 15 digits")
        return digits


class PhoneCode(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        code = keys.phone_code(value)
        if code is None:
            raise ValidationError("must be a country calling code (1 to 9999)")
        return code


class Text(fields.String):
    """Stripped text of at most `max_length` characters; blank is None where allowed."""

    def __init__(self, max_length, blank_is_none=True, **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.blank_is_none = max_length, blank_is_none

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if len(text) > self.max_length:
            raise ValidationError("must be at most {} characters".format(self.max_length))
        if not text:
            if self.blank_is_none and self.allow_none:
                return None
            raise ValidationError("must not be blank")
        return text
