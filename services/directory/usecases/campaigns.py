"""Campaigns of the workspace (the periods sales goals are set for)."""
from infra.validation import load
from services.directory import schemas, store
from services.directory.exceptions import InvalidDirectoryInput
from services.directory.models import Campaign

NEW_CAMPAIGN = schemas.NewCampaignSchema()


def create_campaign(ctx, payload):
    data = load(NEW_CAMPAIGN, payload, InvalidDirectoryInput)
    campaign = Campaign(workspace_id=ctx.me.workspace_id, **data)
    ctx.db.add(campaign)
    ctx.db.commit()
    return schemas.campaign_view(campaign)


def list_campaigns(ctx):
    return [schemas.campaign_view(campaign) for campaign in store.campaigns_of_workspace(ctx.db, ctx.me.workspace_id)]


def get_campaign(ctx, campaign_uuid):
    return schemas.campaign_view(store.get_campaign(ctx.db, ctx.me.workspace_id, campaign_uuid))


def campaigns_in_workspace(ctx, workspace_id, campaign_uuids=None):
    """For other services (the workspace comes from their own verified caller or event)."""
    return [schemas.campaign_view(campaign)
            for campaign in store.campaigns_of_workspace(ctx.db, workspace_id, campaign_uuids)]
