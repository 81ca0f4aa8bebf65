from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from contracts.permissions import PERMISSIONS
from infra.events import isoformat
from infra.validation import Id
from services.directory import domain

NAME = validate.Length(min=1, max=80)


def permission_names(**kwargs):
    """A list of permission names (contracts.permissions); any other name is refused."""
    name = fields.String(validate=validate.OneOf(PERMISSIONS, error="unknown permission {input!r}; use "
                                                 + ", ".join(PERMISSIONS)))
    return fields.List(name, validate=validate.Length(max=len(PERMISSIONS) * 4), **kwargs)


class SignupSchema(Schema):
    workspace = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=8, max=128))
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)


class LoginSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class NewUserSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(min=8, max=128))
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    permissions = permission_names(load_default=list)


class PermissionsSchema(Schema):
    permissions = permission_names(required=True)


class NewGroupSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    members = fields.List(Id(), load_default=list, validate=validate.Length(max=1000))


class MembersSchema(Schema):
    users = fields.List(Id(), required=True, validate=validate.Length(min=1, max=1000))


class NewCampaignSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data["end_date"] < data["start_date"]:
            raise ValidationError("must not be before start_date", "end_date")


class NewApiKeySchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


def user_view(user):
    return {"id": user.id, "uuid": user.uuid, "email": user.email, "first_name": user.first_name,
            "last_name": user.last_name, "is_owner": user.is_owner, "active": user.active,
            "permissions": list(domain.effective_permissions(user.is_owner, user.permissions))}


def user_snapshot(user):
    """The snapshot of `directory.user_changed` (contracts.events.UserSnapshot)."""
    return {"id": user.id, "uuid": user.uuid, "workspace_id": user.workspace_id, "first_name": user.first_name,
            "last_name": user.last_name, "is_owner": user.is_owner, "active": user.active,
            "permissions": list(domain.effective_permissions(user.is_owner, user.permissions)),
            "access_changed_at": isoformat(user.access_changed_at)}


def caller_view(caller):
    return {"id": caller.user_id, "uuid": caller.user_uuid, "workspace_id": caller.workspace_id,
            "workspace_uuid": caller.workspace_uuid, "first_name": caller.first_name, "last_name": caller.last_name,
            "is_owner": caller.is_owner, "auth_method": caller.auth_method, "permissions": list(caller.permissions)}


def workspace_view(workspace):
    return {"id": workspace.id, "uuid": workspace.uuid, "name": workspace.name}


def group_view(group, member_ids):
    return {"id": group.id, "uuid": group.uuid, "name": group.name, "members": sorted(member_ids)}


def campaign_view(campaign):
    return {"id": campaign.id, "uuid": campaign.uuid, "name": campaign.name,
            "start_date": campaign.start_date.isoformat(), "end_date": campaign.end_date.isoformat()}


def api_key_view(key):
    return {"uuid": key.uuid, "name": key.name, "prefix": key.prefix,
            "created_at": key.created_at.isoformat() + "Z",
            "revoked_at": key.revoked_at.isoformat() + "Z" if key.revoked_at else None}
